/**
 * The plugin registry: the plugins the service runs, checked once at start and sorted once by version.
 *
 * The rules are VIC's (lib/migration/manager), made strict: a version is a whole number above 0 and at most
 * `latestDataVersion` (new VMs are stamped with that, so a plugin above it would run on them again); versions are
 * unique across targets, because a data version names one step in one history; names are unique. A bad
 * registration is a programming error, so it fails the start with the file and the rule in the message.
 */
import { latestDataVersion } from './data-version.js'
import { MigrationError } from './errors.js'
import { migrationTargets, type MigrationPlugin, type MigrationTarget } from './plugin.js'

/** A value offered as a plugin, and where it came from (a file path, or a label in tests). */
export interface PluginSource {
  readonly source: string
  readonly plugin: unknown
}

const pluginNamePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

export class PluginRegistry {
  private readonly byTarget: ReadonlyMap<MigrationTarget, readonly MigrationPlugin[]>

  private constructor(readonly plugins: readonly MigrationPlugin[]) {
    this.byTarget = new Map(migrationTargets.map((t) => [t, plugins.filter((p) => p.target === t)]))
  }

  /** Checks every offered plugin; throws `MigrationError('invalid_plugin')` at the first broken rule. */
  static of(sources: readonly PluginSource[]): PluginRegistry {
    const seen: Array<{ plugin: MigrationPlugin; source: string }> = []
    for (const { source, plugin } of sources) {
      const checked = checkShape(source, plugin)
      const sameVersion = seen.find((s) => s.plugin.version === checked.version)
      if (sameVersion) {
        refusePlugin(
          source,
          `version ${checked.version} is already taken by ${sameVersion.plugin.target} plugin ` +
            `"${sameVersion.plugin.name}" (${sameVersion.source}); versions are unique across targets`,
        )
      }
      const sameName = seen.find((s) => s.plugin.name === checked.name)
      if (sameName) refusePlugin(source, `name "${checked.name}" is already taken by ${sameName.source}`)
      seen.push({ plugin: checked, source })
    }
    const sorted = seen.map((s) => s.plugin).sort((a, b) => a.version - b.version)
    return new PluginRegistry(Object.freeze(sorted))
  }

  /** The target's plugins in ascending version order. */
  forTarget(target: MigrationTarget): readonly MigrationPlugin[] {
    return this.byTarget.get(target) ?? []
  }

  /**
   * The ExtraConfig keys the target's plugins read, sorted; undefined when one of them reads the whole map.
   */
  readsOf(target: MigrationTarget): readonly string[] | undefined {
    const keys = new Set<string>()
    for (const plugin of this.forTarget(target)) {
      if (plugin.reads === 'all') return undefined
      for (const key of plugin.reads) keys.add(key)
    }
    return [...keys].sort()
  }

  /** The target's highest plugin version, 0 when it has none. */
  latestVersion(target: MigrationTarget): number {
    return this.forTarget(target).at(-1)?.version ?? 0
  }
}

function checkShape(source: string, value: unknown): MigrationPlugin {
  if (typeof value !== 'object' || value === null) {
    refusePlugin(source, `the default export must be a plugin object, found ${describe(value)}`)
  }
  const { version, target, name, description, migrate, reads, conflict } = value as Record<string, unknown>
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    refusePlugin(source, `version must be a whole number, found ${describe(version)}`)
  }
  if (version <= 0) refusePlugin(source, `version must be greater than 0, found ${version}`)
  if (version > latestDataVersion) {
    refusePlugin(
      source,
      `version ${version} is above latestDataVersion (${latestDataVersion}), the version new VMs are ` +
        `stamped with; raise latestDataVersion in src/migration/data-version.ts with the new plugin`,
    )
  }
  if (!migrationTargets.includes(target as MigrationTarget)) {
    refusePlugin(source, `target must be one of ${migrationTargets.join(', ')}, found ${describe(target)}`)
  }
  if (typeof name !== 'string' || !pluginNamePattern.test(name)) {
    refusePlugin(source, `name must be kebab-case (like "add-common-name"), found ${describe(name)}`)
  }
  if (typeof description !== 'string' || description.trim() === '') {
    refusePlugin(source, `description must be a non-empty string, found ${describe(description)}`)
  }
  if (typeof migrate !== 'function') refusePlugin(source, `migrate must be a function, found ${describe(migrate)}`)
  if (conflict !== undefined && typeof conflict !== 'function') {
    refusePlugin(source, `conflict, when given, must be a function, found ${describe(conflict)}`)
  }
  // the job asks for each key as a property path, `config.extraConfig["key"]`, which has no escape for these
  const keysOk =
    Array.isArray(reads) && reads.length > 0 && reads.every((k) => typeof k === 'string' && k !== '' && !/["[\]]/.test(k))
  if (reads !== 'all' && !keysOk) {
    refusePlugin(
      source,
      `reads must list the ExtraConfig keys the plugin reads (non-empty strings without " [ ]), or be 'all', ` +
        `found ${describe(reads)}`,
    )
  }
  return value as MigrationPlugin
}

/** Fails the start: `source` (a file path, or a label) breaks `rule`. */
export function refusePlugin(source: string, rule: string): never {
  throw new MigrationError('invalid_plugin', `migration plugin ${source}: ${rule}`)
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`
}
