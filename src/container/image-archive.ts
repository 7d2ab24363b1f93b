/**
 * Reading a docker-archive (what `docker save` writes and `docker load` sends), pure: a tar holding `manifest.json`
 * (`[{Config, RepoTags, Layers}]`), each image's config document, and its layers. Only the manifest and the configs
 * are read; the layers stay in the archive, which is stored whole. The tar reader knows what `docker save` and
 * common tar tools write: ustar headers with the name prefix, PAX `path` records and GNU long names.
 */
import { createHash } from 'node:crypto'
import { ContainerError } from './errors.js'

export interface ArchivedImage {
  /** `sha256:<hex>` of the config document */
  readonly id: string
  readonly repoTags: string[]
  readonly config: Record<string, unknown>
  readonly layers: string[]
}

const block = 512

/** Every regular file of a tar, by path (`./` prefixes removed). */
export function tarFiles(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  let at = 0
  let longName: string | undefined
  while (at + block <= archive.length) {
    const header = archive.subarray(at, at + block)
    if (header.every((b) => b === 0)) break
    const size = octal(header.subarray(124, 136))
    if (size === undefined || !checksumOk(header)) throw bad('a tar header is damaged')
    const type = String.fromCharCode(header[156] ?? 0)
    const start = at + block
    const end = start + size
    if (end > archive.length) throw bad('the archive ends in the middle of a file')
    const body = archive.subarray(start, end)
    at = start + Math.ceil(size / block) * block
    if (type === 'x') {
      longName = paxPath(body) ?? longName
      continue
    }
    if (type === 'L') {
      longName = text(body)
      continue
    }
    if (type === 'g') continue
    const prefix = text(header.subarray(345, 500))
    const name = longName ?? (prefix === '' ? text(header.subarray(0, 100)) : `${prefix}/${text(header.subarray(0, 100))}`)
    longName = undefined
    if (type === '0' || type === '\0') files.set(name.replace(/^(\.\/)+/, ''), body)
  }
  return files
}

/** The images a docker-archive holds. */
export function readDockerArchive(archive: Buffer): ArchivedImage[] {
  const files = tarFiles(archive)
  const manifestFile = files.get('manifest.json')
  if (!manifestFile) throw bad('it has no manifest.json: give the output of docker save')
  let manifest: unknown
  try {
    manifest = JSON.parse(manifestFile.toString('utf8'))
  } catch {
    throw bad('its manifest.json is not JSON')
  }
  if (!Array.isArray(manifest) || manifest.length === 0) throw bad('its manifest.json lists no image')
  return manifest.map((entry: unknown) => {
    const { Config, RepoTags, Layers } = (entry ?? {}) as { Config?: unknown; RepoTags?: unknown; Layers?: unknown }
    if (typeof Config !== 'string') throw bad('a manifest entry names no Config')
    const configFile = files.get(Config.replace(/^(\.\/)+/, ''))
    if (!configFile) throw bad(`its manifest names ${Config}, which the archive does not hold`)
    let config: unknown
    try {
      config = JSON.parse(configFile.toString('utf8'))
    } catch {
      throw bad(`${Config} is not JSON`)
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw bad(`${Config} is not an object`)
    const tags = Array.isArray(RepoTags) ? RepoTags.filter((t): t is string => typeof t === 'string') : []
    const layers = Array.isArray(Layers) ? Layers.filter((l): l is string => typeof l === 'string') : []
    for (const layer of layers) if (!files.has(layer.replace(/^(\.\/)+/, ''))) throw bad(`layer ${layer} is missing`)
    const id = `sha256:${createHash('sha256').update(configFile).digest('hex')}`
    return { id, repoTags: tags, config: config as Record<string, unknown>, layers }
  })
}

function bad(why: string): ContainerError {
  return new ContainerError('invalid_request', `the image archive cannot be loaded: ${why}`)
}

function text(bytes: Buffer): string {
  const nul = bytes.indexOf(0)
  return bytes.subarray(0, nul < 0 ? bytes.length : nul).toString('utf8')
}

function octal(bytes: Buffer): number | undefined {
  const digits = text(bytes).trim()
  if (!/^[0-7]+$/.test(digits)) return undefined
  return parseInt(digits, 8)
}

/** The header checksum: the sum of its bytes with the checksum field read as spaces. */
function checksumOk(header: Buffer): boolean {
  const stored = octal(header.subarray(148, 156))
  let sum = 0
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!
  return stored === sum
}

/** The `path` record of a PAX extended header (`<len> path=<value>\n`). */
function paxPath(body: Buffer): string | undefined {
  let at = 0
  let found: string | undefined
  while (at < body.length) {
    const space = body.indexOf(0x20, at)
    if (space < 0) break
    const length = Number(body.subarray(at, space).toString('ascii'))
    if (!Number.isInteger(length) || length <= 0) break
    const record = body.subarray(space + 1, at + length - 1).toString('utf8')
    if (record.startsWith('path=')) found = record.slice(5)
    at += length
  }
  return found
}
