/** Plugins made to order for framework tests: each records its run in the map so the order can be read back. */
import type { ExtraConfigMap, MigrationPlugin, MigrationTarget } from '../../../src/migration/plugin.js'

export const trailKey = 'test/trail'

/** A plugin that appends its version to `test/trail`, or throws when told to. */
export function stubPlugin(
  version: number,
  target: MigrationTarget = 'container',
  options: { name?: string; fails?: boolean } = {},
): MigrationPlugin {
  return {
    version,
    target,
    name: options.name ?? `stub-${version}`,
    description: `test plugin ${version}`,
    reads: [trailKey],
    migrate(config: ExtraConfigMap): ExtraConfigMap {
      if (options.fails) throw new Error(`stub ${version} cannot read this map`)
      const trail = config.get(trailKey)
      return new Map(config).set(trailKey, trail === undefined ? String(version) : `${trail},${version}`)
    },
  }
}
