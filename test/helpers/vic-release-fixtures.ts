/**
 * The VIC release shapes (test/fixtures/vic-releases/): one ExtraConfig per layout a VIC release left on its VMs,
 * with what the migration must make of it and where each fact comes from. Read by the migration's unit tests, its
 * integration test and bench/migrate.ts, which also need a shape under a container ID and name of its own.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export type ShapeOutcome = 'migrated' | 'in-memory' | 'current' | 'inconsistent'

export interface ReleaseFixture {
  /** the file name without `.json` */
  readonly name: string
  readonly description: string
  readonly release: string
  readonly sources: readonly string[]
  readonly expect: {
    readonly target: 'container' | 'appliance'
    /** the name the service reads after the migration (the hidden key) */
    readonly name: string
    readonly dataVersion: number
    /** containers only: the stamp allows rename (4 or more) */
    readonly renameSupported?: boolean
    readonly outcome: ShapeOutcome
    /** exactly the hidden keys the job writes (the migration record aside), with their values */
    readonly persisted: Readonly<Record<string, string>>
    /** the keys changed in memory only, because the guest reads them */
    readonly inMemoryOnly: readonly string[]
  }
  readonly config: ReadonlyMap<string, string>
}

const dir = fileURLToPath(new URL('../fixtures/vic-releases/', import.meta.url))

export const releaseFixtures: readonly ReleaseFixture[] = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => {
    const parsed = JSON.parse(readFileSync(dir + file, 'utf8')) as Omit<ReleaseFixture, 'name' | 'config'> & {
      extraConfig: Record<string, string>
    }
    const { extraConfig, ...rest } = parsed
    return { ...rest, name: file.slice(0, -'.json'.length), config: new Map(Object.entries(extraConfig)) }
  })

export function releaseFixture(name: string): ReleaseFixture {
  const found = releaseFixtures.find((f) => f.name === name)
  if (!found) throw new Error(`no release fixture ${name}`)
  return found
}

const idKeys = { container: 'guestinfo.vice./common/id', appliance: 'guestinfo.vice./init/common/id' } as const
const legacyNameKeys = { container: 'guestinfo.vice./common/name', appliance: 'guestinfo.vice./init/common/name' } as const
const nameKeys = { container: 'common/name', appliance: 'init/common/name' } as const

/**
 * The fixture's VM under another ID and name: every key and value naming the old ID is rewritten, and every value
 * that was a name of it. A legacy name that disagreed with the hidden one keeps disagreeing (`<name>-old`).
 */
export function rekeyed(fixture: ReleaseFixture, id: string, name: string): Map<string, string> {
  const { target } = fixture.expect
  const oldId = fixture.config.get(idKeys[target])!
  const hidden = fixture.config.get(nameKeys[target])
  const legacy = fixture.config.get(legacyNameKeys[target])
  const names = new Map<string, string>()
  if (hidden !== undefined) names.set(hidden, name)
  if (legacy !== undefined && !names.has(legacy)) names.set(legacy, hidden === undefined ? name : `${name}-old`)
  const out = new Map<string, string>()
  for (const [key, value] of fixture.config) {
    let v = names.get(value) ?? value.split(oldId).join(id)
    if (value === oldId.slice(0, 12)) v = id.slice(0, 12)
    out.set(key.split(oldId).join(id), v)
  }
  return out
}

/** The fixture stamped with another data version (the master builds between releases left the same keys). */
export function restamped(config: ReadonlyMap<string, string>, target: 'container' | 'appliance', version: number) {
  const key = target === 'container' ? 'guestinfo.vice./version/PluginVersion' : 'guestinfo.vice./init/version/PluginVersion'
  return new Map(config).set(key, String(version))
}
