/**
 * The migration plugin contract. A plugin upgrades the ExtraConfig of one kind of VM (a container, or the VCH
 * appliance VIC used to run) from the data layout before its version to the layout of its version.
 *
 * A plugin is a pure function over the flat key → value map exactly as vSphere stores it: VIC's key strings, and
 * `<nil>` for an empty value (vSphere deletes a key sent with an empty string, so VIC never stores one). It returns
 * a new map and leaves its input alone, and running it on its own output changes nothing: the map a container is
 * read from keeps its old data version forever (see data-version.ts), so every read runs the plugin again.
 *
 * Plugins live one per file in `migrations/`, named `NNNN-kebab-name.ts` and default-exporting their plugin
 * (discover.ts); a plugin, once released, never changes, because VMs in the field hold data in its layout.
 */
import { nilValue } from '../extraconfig/index.js'

export type MigrationTarget = 'container' | 'appliance'

export const migrationTargets: readonly MigrationTarget[] = ['container', 'appliance']

/** A VM's ExtraConfig as read from vSphere: keys as VIC's encoder made them, `<nil>` for empty values. */
export type ExtraConfigMap = ReadonlyMap<string, string>

export { nilValue }

/** True when a key is absent or holds an empty value, in either of the forms a map may carry it. */
export function isEmptyValue(value: string | undefined): value is undefined | '' | typeof nilValue {
  return value === undefined || value === '' || value === nilValue
}

export interface MigrationPlugin {
  /** The data version this plugin brings a VM to; unique across targets, like VIC's feature numbers. */
  readonly version: number
  readonly target: MigrationTarget
  /** kebab-case, the same words as the file name after the number */
  readonly name: string
  /** one sentence for the job's report and the logs */
  readonly description: string
  /** Pure and idempotent: returns the migrated map, never changes `config`. */
  migrate(config: ExtraConfigMap): ExtraConfigMap
}
