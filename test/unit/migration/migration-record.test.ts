import { describe, expect, it } from 'vitest'
import { discoverPlugins } from '../../../src/migration/discover.js'
import {
  migrationRecordEntry,
  migrationRecordKey,
  readMigratedVersion,
} from '../../../src/migration/migration-record.js'
import { migrateInMemory } from '../../../src/migration/migrate.js'
import { persistPlan } from '../../../src/migration/persist.js'
import { currentFixtures, unversionedFixture } from './fixtures.js'

const registry = await discoverPlugins()

describe('the migration record', () => {
  it('is a hidden key, so the job may write it to a running container', () => {
    expect(migrationRecordKey.startsWith('guestinfo.')).toBe(false)
    expect(migrationRecordEntry(9)).toEqual({ key: migrationRecordKey, value: '9' })
  })

  it('reads as 0 when absent or unreadable, so the job simply runs again', () => {
    expect(readMigratedVersion(new Map())).toBe(0)
    expect(readMigratedVersion(new Map([[migrationRecordKey, 'nine']]))).toBe(0)
    expect(readMigratedVersion(new Map([[migrationRecordKey, '9']]))).toBe(9)
  })

  it('decides nothing: a legacy container whose hidden name was lost is migrated again, whatever its record', () => {
    const legacy = new Map(unversionedFixture.config).set(migrationRecordKey, '9')
    const { persist } = persistPlan('container', legacy, migrateInMemory(registry, 'container', legacy).map)
    expect(persist.map((e) => e.key)).toContain('common/name')
  })

  it('is not needed by a container its creator stamped: nothing to persist, nothing recorded', () => {
    for (const fixture of currentFixtures) {
      const { persist } = persistPlan('container', fixture.config, migrateInMemory(registry, 'container', fixture.config).map)
      expect(persist).toEqual([])
    }
  })
})
