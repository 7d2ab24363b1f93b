/**
 * The migration record: which plugins the migration job brought a VM's persisted data up to.
 *
 * The job writes one hidden key, `portlayer/migratedVersion`, in the same reconfigure as the changes it persists:
 * "the persistable changes of every plugin up to this version are on this VM". It holds a decimal version, the
 * target's newest plugin when the job wrote. It decides nothing: the plugins decide from the keys themselves, so a
 * VM is migrated again if its keys lose a change, whatever its record says. It is there for operators, for the
 * report (a recorded VM with nothing left to write is `current`, though its guest-visible changes stay in memory
 * only) and for the crash tests: since it goes out in the one reconfigure with the changes, a VM carries it
 * exactly when it carries them. A VM whose migration has nothing to persist gets no record. The key is hidden so it can be
 * written while the VM runs, and namespaced so it never meets a key of VIC's.
 */
import { parseVersion } from './data-version.js'
import type { ExtraConfigMap } from './plugin.js'
import type { ExtraConfigEntry } from './persist.js'

export const migrationRecordKey = 'portlayer/migratedVersion'

/**
 * The recorded version, 0 when there is none. An unreadable record counts as none rather than as an error: the
 * plugins are idempotent, so the job simply runs them again and writes a good record.
 */
export function readMigratedVersion(config: ExtraConfigMap): number {
  const raw = config.get(migrationRecordKey)
  return (raw === undefined ? undefined : parseVersion(raw)) ?? 0
}

/** The entry the job sends with the persisted changes once plugins up to `version` ran. */
export function migrationRecordEntry(version: number): ExtraConfigEntry {
  return { key: migrationRecordKey, value: String(version) }
}
