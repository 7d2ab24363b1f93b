import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { discoverPlugins } from '../../../src/migration/discover.js'
import { migrateInMemory } from '../../../src/migration/migrate.js'
import { persistPlan } from '../../../src/migration/persist.js'
import { extraConfigMap } from './arbitraries.js'
import { asAppliance, legacyFixtures, unversionedFixture as unversioned, vicFixtures } from './fixtures.js'

const registry = await discoverPlugins()

describe('persistPlan', () => {
  it.each(legacyFixtures.map((f) => [f.file, f] as const))(
    'writes only the hidden common/name of the legacy container %s; the new createtime stays in memory',
    (_file, fixture) => {
      const { map } = migrateInMemory(registry, 'container', fixture.config)
      expect(persistPlan('container', fixture.config, map)).toEqual({
        persist: [{ key: 'common/name', value: fixture.expect.name }],
        inMemoryOnly: ['guestinfo.vice..createtime'],
      })
    },
  )

  it('writes every change of an appliance, and its version stamp is not one', () => {
    const appliance = asAppliance(unversioned.config)
    const { map } = migrateInMemory(registry, 'appliance', appliance)
    expect(persistPlan('appliance', appliance, map)).toEqual({
      persist: [{ key: 'init/common/name', value: unversioned.expect.name }],
      inMemoryOnly: [],
    })
  })

  it('has nothing to write for a map migrated and written before', () => {
    for (const fixture of vicFixtures) {
      const { map } = migrateInMemory(registry, 'container', fixture.config)
      const written = new Map(fixture.config)
      for (const { key, value } of persistPlan('container', fixture.config, map).persist) written.set(key, value)
      expect(persistPlan('container', written, migrateInMemory(registry, 'container', written).map).persist).toEqual([])
    }
  })

  it('sends an empty value as <nil>, a removed key as the empty string, and sees <nil> and "" as the same', () => {
    const original = new Map([
      ['a', 'x'],
      ['gone', 'y'],
      ['same', '<nil>'],
    ])
    const migrated = new Map([
      ['a', ''],
      ['same', ''],
      ['new', '<nil>'],
    ])
    expect(persistPlan('container', original, migrated).persist).toEqual([
      { key: 'a', value: '<nil>' },
      { key: 'gone', value: '' },
      { key: 'new', value: '<nil>' },
    ])
  })

  it('never persists a guestinfo. key for a container, and loses no change', () => {
    fc.assert(
      fc.property(extraConfigMap, extraConfigMap, (original, migrated) => {
        const plan = persistPlan('container', original, migrated)
        for (const { key } of plan.persist) expect(key.startsWith('guestinfo.')).toBe(false)
        for (const key of plan.inMemoryOnly) expect(key.startsWith('guestinfo.')).toBe(true)
        const applied = new Map(original)
        for (const { key, value } of plan.persist) {
          if (value === '') applied.delete(key)
          else applied.set(key, value)
        }
        for (const key of plan.inMemoryOnly) {
          if (migrated.has(key)) applied.set(key, migrated.get(key)!)
          else applied.delete(key)
        }
        expect(persistPlan('container', applied, migrated)).toEqual({ persist: [], inMemoryOnly: [] })
      }),
      { numRuns: 300 },
    )
  })
})
