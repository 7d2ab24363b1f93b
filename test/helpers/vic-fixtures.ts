/**
 * The golden ExtraConfig vectors made with VIC's own encoder (a copy of the design notes' fixtures, kept in the repo so the tests need nothing outside it). The
 * creation time is read from the file's text, because JSON.parse rounds nanosecond timestamps to a double.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface VicFixture {
  readonly file: string
  readonly description: string
  readonly expect: {
    readonly id: string
    readonly name: string
    readonly nameKey: string
    readonly pluginVersion: number
    readonly createTime: bigint
    readonly networks: Record<string, { aliases: string[]; ports?: string[] }>
    readonly annotations: Record<string, string>
    readonly repo: string
    readonly hostname: string
  }
  readonly extraConfig: Record<string, string>
  readonly runningSubset: Record<string, string>
  /** `extraConfig` as the map the service reads from vSphere */
  readonly config: ReadonlyMap<string, string>
}

const dir = fileURLToPath(new URL('../fixtures/vic-extraconfig/', import.meta.url))

function load(file: string): VicFixture {
  const text = readFileSync(dir + file, 'utf8')
  const parsed = JSON.parse(text) as Omit<VicFixture, 'file' | 'config'> & { expect: { createTime: number } }
  const createTime = /"createTime":\s*(\d+)/.exec(text)?.[1]
  if (createTime === undefined) throw new Error(`${file}: no createTime`)
  return {
    ...parsed,
    file,
    expect: { ...parsed.expect, createTime: BigInt(createTime) },
    config: new Map(Object.entries(parsed.extraConfig)),
  }
}

export const vicFixtures: readonly VicFixture[] = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map(load)

export function fixture(name: string): VicFixture {
  const found = vicFixtures.find((f) => f.file === `${name}.json`)
  if (found === undefined) throw new Error(`no fixture ${name}`)
  return found
}
