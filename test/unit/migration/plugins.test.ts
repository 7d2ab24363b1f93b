import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import addCommonSpecForVch from '../../../migrations/0001-add-common-spec-for-vch.js'
import addCommonName from '../../../migrations/0002-add-common-name.js'
import createTimeNanoseconds from '../../../migrations/0009-create-time-nanoseconds.js'
import { containerKeys } from '../../../src/extraconfig/index.js'
import type { MigrationPlugin } from '../../../src/migration/plugin.js'
import { asAppliance, currentFixtures, legacyFixtures, vicFixtures } from './fixtures.js'
import { extraConfigMap } from './arbitraries.js'

const plugins: readonly MigrationPlugin[] = [addCommonSpecForVch, addCommonName, createTimeNanoseconds]

/** The keys whose value differs between two maps, with both values. */
function changes(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>) {
  const keys = new Set([...before.keys(), ...after.keys()])
  return Object.fromEntries(
    [...keys].filter((k) => before.get(k) !== after.get(k)).map((k) => [k, [before.get(k), after.get(k)]]),
  )
}

describe('plugin 2, add-common-name (container)', () => {
  it.each(legacyFixtures.map((f) => [f.file, f] as const))(
    'gives %s the hidden common/name equal to its old name, and changes nothing else',
    (_file, fixture) => {
      const migrated = addCommonName.migrate(fixture.config)
      expect(migrated.get('common/name')).toBe(fixture.expect.name)
      expect(migrated.get('guestinfo.vice./common/name')).toBe(fixture.expect.name)
      expect(changes(fixture.config, migrated)).toEqual({ 'common/name': [undefined, fixture.expect.name] })
    },
  )

  it.each(currentFixtures.map((f) => [f.file, f] as const))('leaves %s as it is', (_file, fixture) => {
    expect(addCommonName.migrate(fixture.config)).toEqual(fixture.config)
  })

  it('writes the rest of the common block as VIC did, <nil> where it was missing', () => {
    const migrated = addCommonName.migrate(new Map([['guestinfo.vice./common/name', 'web']]))
    expect(Object.fromEntries(migrated)).toEqual({
      'guestinfo.vice./common/name': 'web',
      'common/name': 'web',
      'guestinfo.vice./common/id': '<nil>',
      'guestinfo.vice./common/ExecutionEnvironment': '<nil>',
      'common/notes': '<nil>',
    })
  })

  it('adds no name when there is no old name, empty or absent', () => {
    const nameless = [['guestinfo.vice./common/id', 'abc']] as const
    const emptyName = [['guestinfo.vice./common/name', '<nil>']] as const
    for (const config of [new Map(nameless), new Map(emptyName)]) {
      expect(addCommonName.migrate(config)).toEqual(config)
    }
  })

  it('never overwrites an existing common/name', () => {
    const config = new Map([
      ['guestinfo.vice./common/name', 'old'],
      ['common/name', 'renamed'],
    ])
    expect(addCommonName.migrate(config).get('common/name')).toBe('renamed')
  })
})

describe('plugin 1, add-common-spec-for-vch (appliance)', () => {
  it.each(legacyFixtures.map((f) => [f.file, f] as const))(
    'gives %s, nested as an appliance, the hidden init/common/name',
    (_file, fixture) => {
      const appliance = asAppliance(fixture.config)
      const migrated = addCommonSpecForVch.migrate(appliance)
      expect(changes(appliance, migrated)).toEqual({ 'init/common/name': [undefined, fixture.expect.name] })
    },
  )

  it('writes the rest of the init/common block as VIC did', () => {
    const migrated = addCommonSpecForVch.migrate(new Map([['guestinfo.vice./init/common/name', 'vch-1']]))
    expect(Object.fromEntries(migrated)).toEqual({
      'guestinfo.vice./init/common/name': 'vch-1',
      'init/common/name': 'vch-1',
      'guestinfo.vice./init/common/id': '<nil>',
      'guestinfo.vice./init/common/ExecutionEnvironment': '<nil>',
      'init/common/notes': '<nil>',
    })
  })

  it.each(vicFixtures.map((f) => [f.file, f] as const))('does not touch the container map %s', (_file, fixture) => {
    expect(addCommonSpecForVch.migrate(fixture.config)).toEqual(fixture.config)
  })
})

describe('plugin 9, create-time-nanoseconds (container)', () => {
  const key = 'guestinfo.vice..createtime'

  it.each(vicFixtures.map((f) => [f.file, f] as const))(
    'stores the creation time of %s in nanoseconds, and changes nothing else',
    (_file, fixture) => {
      const migrated = createTimeNanoseconds.migrate(fixture.config)
      // VIC stored seconds until data version 9 (its ContainerCreateTimestampVersion).
      const stored = BigInt(fixture.config.get(key)!)
      const inSeconds = fixture.expect.pluginVersion < 9
      expect(migrated.get(key)).toBe(String(inSeconds ? stored * 10n ** 9n : stored))
      const { [key]: _createTime, ...others } = changes(fixture.config, migrated)
      expect(others).toEqual({})
    },
  )

  it('converts VIC test value 1510950922 exactly, beyond double precision', () => {
    expect(createTimeNanoseconds.migrate(new Map([[key, '1510950922']])).get(key)).toBe('1510950922000000000')
    expect(createTimeNanoseconds.migrate(new Map([[key, '1510950923']])).get(key)).toBe('1510950923000000000')
  })

  it('converts seconds from 10 to the last int64-representable second, and nothing outside', () => {
    const after = (v: string) => createTimeNanoseconds.migrate(new Map([[key, v]])).get(key)
    expect(after('10')).toBe('10000000000')
    expect(after('9223372036')).toBe('9223372036000000000')
    expect(after('9223372037')).toBe('9223372037')
    expect(after('9')).toBe('9')
    expect(after('0')).toBe('0')
    expect(after('-5')).toBe('-5')
    expect(after('<nil>')).toBe('<nil>')
    expect(after('12.5')).toBe('12.5')
    expect(createTimeNanoseconds.migrate(new Map()).has(key)).toBe(false)
  })

  it('produces values that fit the int64 VIC stores them in', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), (v) => {
        const out = BigInt(createTimeNanoseconds.migrate(new Map([[key, String(v)]])).get(key)!)
        expect(out <= 2n ** 63n - 1n).toBe(true)
      }),
    )
  })
})

describe.each(plugins.map((p) => [`${p.version} ${p.name}`, p] as const))('plugin %s', (_label, plugin) => {
  it('is idempotent: migrating its own output changes nothing', () => {
    fc.assert(
      fc.property(extraConfigMap, (config) => {
        const once = plugin.migrate(config)
        expect(plugin.migrate(once)).toEqual(once)
      }),
      { numRuns: 500 },
    )
  })

  it('never changes the map it is given', () => {
    fc.assert(
      fc.property(extraConfigMap, (config) => {
        const before = [...config]
        plugin.migrate(config)
        expect([...config]).toEqual(before)
      }),
      { numRuns: 300 },
    )
  })

  it('never removes a key', () => {
    fc.assert(
      fc.property(extraConfigMap, (config) => {
        const migrated = plugin.migrate(config)
        for (const key of config.keys()) expect(migrated.has(key)).toBe(true)
      }),
    )
  })
})

describe('the keys the plugins declare', () => {
  // Released plugins spell their keys out instead of computing them from today's schema, so a later schema change
  // cannot move them (VIC pinned its version keys the same way, TestStableVersionKey); the schema must agree.
  it('are the keys the container schema computes for the same fields', () => {
    expect(addCommonName.reads).toEqual(expect.arrayContaining([containerKeys.name, containerKeys.legacyName, containerKeys.id]))
    expect(createTimeNanoseconds.reads).toEqual([containerKeys.createTime])
  })

  it.each(plugins.map((p) => [`${p.version} ${p.name}`, p] as const))(
    'are enough for plugin %s: it changes a map of only those keys as it changes the whole map',
    (_label, plugin) => {
      const reads = plugin.reads as readonly string[]
      const maps = [...vicFixtures.map((f) => f.config), ...legacyFixtures.map((f) => asAppliance(f.config))]
      for (const config of maps) {
        const only = new Map([...config].filter(([key]) => reads.includes(key)))
        expect(changes(only, plugin.migrate(only))).toEqual(changes(config, plugin.migrate(config)))
        expect(plugin.conflict?.(only)).toEqual(plugin.conflict?.(config))
      }
    },
  )
})
