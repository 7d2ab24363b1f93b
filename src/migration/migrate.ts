/**
 * In-memory migration on read: runs, in version order, every plugin of the target and returns the map in the
 * latest layout, as VIC's migrator did each time it built a container from vSphere data.
 *
 * Unlike VIC, the version stamp does not choose the plugins: each plugin decides from the keys themselves
 * (plugin.ts), so a VM whose stamp claims a layout its keys do not have is upgraded all the same. The stamp is
 * never rewritten, not even in memory (data-version.ts says why), and plugins are idempotent by content, so the
 * same plugins run harmlessly on every read. The caller's map is never changed. A plugin that throws stops the
 * chain: the error names it and carries what the plugins before it produced.
 */
import { readDataVersion } from './data-version.js'
import { MigrationError } from './errors.js'
import type { ExtraConfigMap, MigrationPlugin, MigrationTarget } from './plugin.js'
import type { PluginRegistry } from './registry.js'

/** What one plugin changed: keys it added or whose value it changed, and keys it removed. */
export interface PluginChange {
  readonly version: number
  readonly name: string
  /** sorted */
  readonly keys: readonly string[]
}

export interface MigrationResult {
  readonly map: ExtraConfigMap
  /** true when at least one plugin changed the map */
  readonly migrated: boolean
  /** the data version stamped on the VM (kept in `map`) */
  readonly fromVersion: number
  /** versions of the plugins that changed the map, ascending */
  readonly applied: readonly number[]
  /** what each of them changed, in the same order */
  readonly changes: readonly PluginChange[]
  /** the plugins' reasons why the keys contradict each other (conflict); the plugins ran all the same */
  readonly conflicts: readonly string[]
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
  const changes: PluginChange[] = []
  const conflicts: string[] = []
  // No ExtraConfig at all is not an old VIC VM but no VIC VM: nothing to upgrade (VIC did the same).
  const plugins = config.size === 0 ? [] : registry.forTarget(target)
  const partial = (): MigrationResult => result(map, fromVersion, changes, conflicts)

  for (const plugin of plugins) {
    let next: unknown
    try {
      const conflict = plugin.conflict?.(map)
      if (conflict !== undefined) conflicts.push(conflict)
      next = plugin.migrate(map)
      if (!(next instanceof Map)) {
        throw new Error(`migrate returned ${next === null ? 'null' : typeof next}, not a Map`)
      }
    } catch (err) {
      throw new PluginFailedError(plugin, partial(), err)
    }
    const keys = changedKeys(map, next as ExtraConfigMap)
    if (keys.length > 0) changes.push({ version: plugin.version, name: plugin.name, keys })
    map = next as ExtraConfigMap
  }
  return partial()
}

function result(
  map: ExtraConfigMap,
  fromVersion: number,
  changes: readonly PluginChange[],
  conflicts: readonly string[],
): MigrationResult {
  return {
    map,
    migrated: changes.length > 0,
    fromVersion,
    applied: changes.map((c) => c.version),
    changes: [...changes],
    conflicts: [...conflicts],
  }
}

function changedKeys(before: ExtraConfigMap, after: ExtraConfigMap): string[] {
  const keys: string[] = []
  for (const [key, value] of after) if (before.get(key) !== value) keys.push(key)
  for (const key of before.keys()) if (!after.has(key)) keys.push(key)
  return keys.sort()
}
