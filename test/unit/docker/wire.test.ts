// Pure pieces of the Docker API front: API version prefixes and limits, docker's log frames, and the
// docker-archive reader (a tar made here byte by byte, the way tar tools lay one out).
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readDockerArchive, tarFiles } from '../../../src/container/image-archive.js'
import { splitVersion, versionProblem } from '../../../src/docker/api-version.js'
import { fixedNano, frame, JsonFileToFrames } from '../../../src/docker/log-frames.js'

describe('API versions', () => {
  it('splits /v1.NN off the path and keeps the query', () => {
    expect(splitVersion('/v1.41/containers/json?all=1')).toEqual({ version: '1.41', url: '/containers/json?all=1' })
    expect(splitVersion('/v1.24/_ping')).toEqual({ version: '1.24', url: '/_ping' })
    expect(splitVersion('/containers/json')).toEqual({ url: '/containers/json' })
    expect(splitVersion('/v2/x')).toEqual({ url: '/v2/x' })
  })

  it('serves 1.24 to 1.41 and names the limit otherwise', () => {
    for (const v of ['1.24', '1.30', '1.41']) expect(versionProblem(v)).toBeUndefined()
    expect(versionProblem('1.42')).toBe('client version 1.42 is too new. Maximum supported API version is 1.41')
    expect(versionProblem('1.9')).toContain('client version 1.9 is too old. Minimum supported API version is 1.24')
  })
})

describe('log frames', () => {
  it('puts an 8-byte header before each entry', () => {
    expect([...frame('stderr', Buffer.from('hi'))]).toEqual([2, 0, 0, 0, 0, 0, 0, 2, 0x68, 0x69])
  })

  it('turns json-file lines into frames, lines cut anywhere, with fixed-width times when asked', async () => {
    const lines = '{"log":"a\\n","stream":"stdout","time":"2026-01-02T03:04:05.5Z"}\n{"stream":"stderr","time":"2026-01-02T03:04:06Z"}\n'
    const chunks = [lines.slice(0, 17), lines.slice(17, 70), lines.slice(70)].map((s) => Buffer.from(s))
    const out: Buffer[] = []
    for await (const chunk of Readable.from(chunks).pipe(new JsonFileToFrames({ timestamps: true, tty: false }))) out.push(chunk as Buffer)
    const first = Buffer.concat(out)
    expect(first[0]).toBe(1)
    expect(first.subarray(8, 8 + first.readUInt32BE(4)).toString()).toBe('2026-01-02T03:04:05.500000000Z a\n')
    expect(fixedNano('2026-01-02T03:04:06Z')).toBe('2026-01-02T03:04:06.000000000Z')
  })
})

/** A ustar archive of `files`, laid out as tar tools write one. */
function tar(files: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = []
  for (const [name, content] of Object.entries(files)) {
    const body = Buffer.from(content)
    const header = Buffer.alloc(512)
    header.write(name, 0)
    header.write('0000644\0', 100)
    header.write('0000000\0', 108)
    header.write('0000000\0', 116)
    header.write(body.length.toString(8).padStart(11, '0') + '\0', 124)
    header.write('00000000000\0', 136)
    header.write('        ', 148)
    header.write('0', 156)
    header.write('ustar\0' + '00', 257)
    let sum = 0
    for (const b of header) sum += b
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    parts.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512))
  }
  return Buffer.concat([...parts, Buffer.alloc(1024)])
}

describe('docker-archive', () => {
  const config = JSON.stringify({ architecture: 'amd64', config: { Cmd: ['sh'] } })
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`

  it('reads the manifest and config; the ID is the digest of the config', () => {
    const archive = tar({
      'manifest.json': JSON.stringify([{ Config: configName, RepoTags: ['app:1'], Layers: ['l/layer.tar'] }]),
      [configName]: config,
      'l/layer.tar': 'layer bytes',
    })
    expect(tarFiles(archive).get('l/layer.tar')?.toString()).toBe('layer bytes')
    expect(readDockerArchive(archive)).toEqual([
      { id: `sha256:${configName.slice(0, 64)}`, repoTags: ['app:1'], config: JSON.parse(config), layers: ['l/layer.tar'] },
    ])
  })

  it('refuses what is not a docker-archive, saying why', () => {
    expect(() => readDockerArchive(Buffer.from('nope'.repeat(200)))).toThrow('a tar header is damaged')
    expect(() => readDockerArchive(tar({ 'x.txt': 'x' }))).toThrow('it has no manifest.json')
    expect(() => readDockerArchive(tar({ 'manifest.json': '[{"Config":"c.json"}]' }))).toThrow('does not hold')
    const missingLayer = tar({ 'manifest.json': JSON.stringify([{ Config: configName, Layers: ['gone.tar'] }]), [configName]: config })
    expect(() => readDockerArchive(missingLayer)).toThrow('layer gone.tar is missing')
  })
})
