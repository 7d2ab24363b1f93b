import { describe, expect, it } from 'vitest'
import { discoverPlugins } from '../../../src/migration/discover.js'
import {
  migrationRecordEntry,
  migrationRecordKey,
  pendingForJob,
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

  it('lets the job skip a legacy container once its changes and the record are written', () => {
    const legacy = unversionedFixture.config
    expect(pendingForJob(registry, 'container', legacy).map((p) => p.version)).toEqual([2, 9])

    const result = migrateInMemory(registry, 'container', legacy)
    const written = new Map(legacy)
    const { persist } = persistPlan('container', legacy, result.map)
    for (const { key, value } of [...persist, migrationRecordEntry(result.applied.at(-1)!)]) written.set(key, value)

    expect(pendingForJob(registry, 'container', written)).toEqual([])
    // The record does not stop reads from migrating: the new createtime lives in memory only.
    expect(migrateInMemory(registry, 'container', written).map.get('guestinfo.vice..createtime')).toMatch(/000000000$/)
  })

  it('has nothing pending for containers stamped at or above the last plugin', () => {
    for (const fixture of currentFixtures) {
      const pending = pendingForJob(registry, 'container', fixture.config).map((p) => p.version)
      expect(pending).toEqual(fixture.expect.pluginVersion < 9 ? [9] : [])
    }
  })
})
