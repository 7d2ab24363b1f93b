import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { dataVersionKeys } from '../../../src/migration/data-version.js'
import { discoverPlugins } from '../../../src/migration/discover.js'
import { MigrationError } from '../../../src/migration/errors.js'
import { migrateInMemory, PluginFailedError } from '../../../src/migration/migrate.js'
import { PluginRegistry } from '../../../src/migration/registry.js'
import { extraConfigMap } from './arbitraries.js'
import { asAppliance, currentFixtures, legacyFixtures, vicFixtures } from './fixtures.js'
import { unversionedFixture as unversioned } from './fixtures.js'
import { stubPlugin, trailKey } from './plugin-stub.js'

const containerVersion = dataVersionKeys.container
const stubs = (...plugins: ReturnType<typeof stubPlugin>[]) =>
  PluginRegistry.of(plugins.map((plugin) => ({ source: plugin.name, plugin })))
const stamped = (version: string | undefined, target: 'container' | 'appliance' = 'container') =>
  new Map(version === undefined ? [['x', 'y']] : [[dataVersionKeys[target], version]])

describe('migrateInMemory, the chain', () => {
  const registry = stubs(...[5, 3, 1, 4, 2].map((v) => stubPlugin(v)), stubPlugin(6, 'appliance'))

  it('runs every plugin of the target in version order, whatever the data version', () => {
    for (const version of [undefined, '3', '20']) {
      const result = migrateInMemory(registry, 'container', stamped(version))
      expect(result.map.get(trailKey)).toBe('1,2,3,4,5')
      expect(result).toMatchObject({ migrated: true, applied: [1, 2, 3, 4, 5] })
      expect(result.changes[0]).toEqual({ version: 1, name: 'stub-1', keys: [trailKey] })
    }
  })

  it('counts as applied only the plugins that changed the map', () => {
    const idle = { ...stubPlugin(7), migrate: (m: ReadonlyMap<string, string>) => new Map(m) }
    const result = migrateInMemory(stubs(stubPlugin(2), idle), 'container', stamped('1'))
    expect(result.applied).toEqual([2])
    expect(migrateInMemory(stubs(idle), 'container', stamped('1'))).toMatchObject({ migrated: false, applied: [], changes: [] })
  })

  it('leaves an empty map alone: no ExtraConfig is no VIC VM', () => {
    expect(migrateInMemory(registry, 'container', new Map())).toMatchObject({ migrated: false, applied: [] })
  })

  it('never rewrites a version stamp, of a container or of the appliance', () => {
    expect(migrateInMemory(registry, 'container', stamped('1')).map.get(containerVersion)).toBe('1')
    expect(migrateInMemory(registry, 'container', stamped(undefined)).map.has(containerVersion)).toBe(false)
    const appliance = migrateInMemory(registry, 'appliance', stamped('2', 'appliance'))
    expect(appliance.map.get(trailKey)).toBe('6')
    expect(appliance.map.get(dataVersionKeys.appliance)).toBe('2')
  })

  it('gathers the plugins’ conflicts and still runs them', () => {
    const picky = { ...stubPlugin(3), conflict: () => 'two names' }
    const result = migrateInMemory(stubs(stubPlugin(2), picky), 'container', stamped('1'))
    expect(result).toMatchObject({ conflicts: ['two names'], applied: [2, 3] })
  })

  it('reads an absent or empty version as 0', () => {
    for (const raw of [undefined, '<nil>', '']) {
      expect(migrateInMemory(registry, 'container', stamped(raw)).fromVersion).toBe(0)
    }
  })

  it.each(['v4', '4.0', '-1', ' 4', '99999999999999999999'])('refuses the unreadable data version %j', (raw) => {
    const run = () => migrateInMemory(registry, 'container', stamped(raw))
    expect(run).toThrow(MigrationError)
    expect(run).toThrow(`guestinfo.vice./version/PluginVersion is ${JSON.stringify(raw)}, not a data version`)
  })

  it('stops at a failing plugin, names it, and hands back what the plugins before it made', () => {
    const breaks = stubPlugin(3, 'container', { name: 'breaks', fails: true })
    const failing = stubs(stubPlugin(1), stubPlugin(2), breaks, stubPlugin(4))
    const config = stamped(undefined)
    let caught: unknown
    try {
      migrateInMemory(failing, 'container', config)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(PluginFailedError)
    const err = caught as PluginFailedError
    expect(MigrationError.is(err, 'plugin_failed')).toBe(true)
    expect(err.message).toBe(
      'container migration plugin 3 (breaks) failed: stub 3 cannot read this map; applied before it: [1, 2]',
    )
    expect(err.plugin).toMatchObject({ version: 3, name: 'breaks', target: 'container' })
    expect(err.partial).toMatchObject({ migrated: true, fromVersion: 0, applied: [1, 2] })
    expect(err.partial.map.get(trailKey)).toBe('1,2')
    expect(config.has(trailKey)).toBe(false)
  })

  it('treats a plugin that returns no map as failed', () => {
    const broken = { ...stubPlugin(2), migrate: () => undefined as never }
    expect(() => migrateInMemory(stubs(broken), 'container', stamped('1'))).toThrow(
      'container migration plugin 2 (stub-2) failed: migrate returned undefined, not a Map',
    )
  })

  it('keeps the caller’s map even from a plugin that breaks the contract and mutates its input', () => {
    const mutate = (m: ReadonlyMap<string, string>) => (m as Map<string, string>).set('x', 'changed')
    const rude = { ...stubPlugin(2), migrate: mutate }
    const config = stamped('1')
    migrateInMemory(stubs(rude), 'container', config)
    expect(config.has('x')).toBe(false)
  })
})

describe('migrateInMemory with the project’s plugins', async () => {
  const registry = await discoverPlugins()

  it.each(legacyFixtures.map((f) => [f.file, f] as const))('reads %s with its name in common/name', (_f, fixture) => {
    const result = migrateInMemory(registry, 'container', fixture.config)
    expect(result.map.get('common/name')).toBe(fixture.expect.name)
    expect(result.applied).toEqual([2, 9])
    expect(result.map.get(containerVersion)).toBe(fixture.config.get(containerVersion))
  })

  it.each(currentFixtures.map((f) => [f.file, f] as const))('reads %s with its name unchanged', (_f, fixture) => {
    const result = migrateInMemory(registry, 'container', fixture.config)
    expect(result.map.get('common/name')).toBe(fixture.expect.name)
    // the v4 fixture holds its creation time in seconds (as VIC before 1.3 wrote it), the others in nanoseconds
    expect(result.applied).toEqual(fixture.expect.createTime < 10_000_000_000n ? [9] : [])
  })

  it('migrates a legacy appliance map', () => {
    const appliance = asAppliance(unversioned.config)
    const result = migrateInMemory(registry, 'appliance', appliance)
    expect(result.applied).toEqual([1])
    expect(result.map.get('init/common/name')).toBe(unversioned.expect.name)
  })

  it('gives the same result when run on its own output', () => {
    fc.assert(
      fc.property(extraConfigMap, (config) => {
        const once = migrateInMemory(registry, 'container', config)
        expect(migrateInMemory(registry, 'container', once.map).map).toEqual(once.map)
      }),
      { numRuns: 300 },
    )
  })

  it.each(vicFixtures.map((f) => [f.file, f] as const))('never changes the map it reads (%s)', (_f, fixture) => {
    const before = [...fixture.config]
    migrateInMemory(registry, 'container', fixture.config)
    expect([...fixture.config]).toEqual(before)
  })
})
