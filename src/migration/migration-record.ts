/**
 * The migration record: what the migration job has already written to a VM.
 *
 * A container's data version never moves (data-version.ts), so it cannot say which plugins' changes are on the VM.
 * The job therefore writes one hidden key, `portlayer/migratedVersion`, in the same reconfigure as the changes it
 * persists: "the persistable changes of every plugin up to this version are on this VM". It holds a decimal
 * version; since the chain runs in order and stops at the first failure, the highest version says it all. A VM
 * needs the job only while some plugin of its target is above both its data version and this record. A VM whose
 * migration has nothing to persist needs no record: re-running pure plugins costs no call to vSphere, and a second
 * run finds nothing to write either way. The key is hidden so it can be written while the VM runs, and namespaced
 * so it never meets a key of VIC's.
 *
 * Reads always run the whole chain above the data version, whatever the record says: changes to guest-visible
 * keys exist only in memory, and a later plugin may build on them.
 */
import { parseVersion, readDataVersion } from './data-version.js'
import type { ExtraConfigMap, MigrationPlugin, MigrationTarget } from './plugin.js'
import type { ExtraConfigEntry } from './persist.js'
import type { PluginRegistry } from './registry.js'

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

/** The plugins whose persistable changes the job has not yet written to this VM, ascending. */
export function pendingForJob(
  registry: PluginRegistry,
  target: MigrationTarget,
  config: ExtraConfigMap,
): readonly MigrationPlugin[] {
  const done = Math.max(readDataVersion(target, config), readMigratedVersion(config))
  return registry.forTarget(target).filter((p) => p.version > done)
}
