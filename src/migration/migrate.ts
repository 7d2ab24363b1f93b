/**
 * In-memory migration on read: runs, in version order, every plugin of the target above the VM's data version and
 * returns the map in the latest layout, as VIC's migrator did each time it built a container from vSphere data.
 *
 * The caller's map is never changed. A container keeps its stamped data version in the result (data-version.ts
 * says why), so the same plugins run on every read; they are idempotent, so that is harmless. The appliance is
 * stamped with `latestDataVersion` once migrated, as VIC's upgrade did, because all of its keys are persisted.
 * A plugin that throws stops the chain: the error names it and carries what the plugins before it produced.
 */
import { dataVersionKeys, latestDataVersion, readDataVersion } from './data-version.js'
import { MigrationError } from './errors.js'
import type { ExtraConfigMap, MigrationPlugin, MigrationTarget } from './plugin.js'
import type { PluginRegistry } from './registry.js'

export interface MigrationResult {
  readonly map: ExtraConfigMap
  /** true when at least one plugin ran */
  readonly migrated: boolean
  /** the data version stamped on the VM */
  readonly fromVersion: number
  /** the layout `map` is in: `latestDataVersion` once migrated, else `fromVersion` */
  readonly toVersion: number
  /** versions of the plugins that ran, ascending */
  readonly applied: readonly number[]
}

/** A plugin threw (or returned no map); `partial` holds the result of the plugins before it. */
export class PluginFailedError extends MigrationError {
  constructor(
    readonly plugin: Pick<MigrationPlugin, 'version' | 'name' | 'target'>,
    readonly partial: MigrationResult,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(
      'plugin_failed',
      `${plugin.target} migration plugin ${plugin.version} (${plugin.name}) failed: ${reason}; ` +
        `applied before it: [${partial.applied.join(', ')}]`,
      { cause },
    )
    this.name = 'PluginFailedError'
  }
}

export function migrateInMemory(
  registry: PluginRegistry,
  target: MigrationTarget,
  config: ExtraConfigMap,
): MigrationResult {
  const fromVersion = readDataVersion(target, config)
  // A copy, so that a plugin breaking its contract still cannot reach the caller's map.
  let map: ExtraConfigMap = new Map(config)
  const applied: number[] = []
  // No ExtraConfig at all is not an old VIC VM but no VIC VM: nothing to upgrade (VIC did the same).
  const pending = config.size === 0 ? [] : registry.forTarget(target).filter((p) => p.version > fromVersion)

  for (const plugin of pending) {
    let next: unknown
    try {
      next = plugin.migrate(map)
      if (!(next instanceof Map)) {
        throw new Error(`migrate returned ${next === null ? 'null' : typeof next}, not a Map`)
      }
    } catch (err) {
      const toVersion = applied.at(-1) ?? fromVersion
      throw new PluginFailedError(plugin, { map, migrated: applied.length > 0, fromVersion, toVersion, applied }, err)
    }
    map = next as ExtraConfigMap
    applied.push(plugin.version)
  }

  if (applied.length === 0) return { map, migrated: false, fromVersion, toVersion: fromVersion, applied }
  if (target === 'appliance') map = new Map(map).set(dataVersionKeys.appliance, String(latestDataVersion))
  return { map, migrated: true, fromVersion, toVersion: latestDataVersion, applied }
}
