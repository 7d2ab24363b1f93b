/**
 * The migration plugin contract. A plugin upgrades the ExtraConfig of one kind of VM (a container, or the VCH
 * appliance VIC used to run) to the layout of its version.
 *
 * A plugin is a pure function over the flat key → value map exactly as vSphere stores it: VIC's key strings, and
 * `<nil>` for an empty value (vSphere deletes a key sent with an empty string, so VIC never stores one). It returns
 * a new map and leaves its input alone, and running it on its own output changes nothing.
 *
 * A plugin decides from what the VM holds, never from its version stamp: it runs on every VM of its target and
 * changes only a map its precondition holds for (VIC gated plugins by the stamp; a stamp can say more than the
 * keys do, see migrations/README.md). It declares the keys it reads, the keys it checks before it writes
 * included, so the migration job lists only those of every VM (VIC computed such keys with `CalculateKeys`);
 * `'all'` asks for the whole map, for a plugin that cannot name its keys beforehand.
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
  /**
   * Every key `migrate` and `conflict` look at (present or absent), or `'all'`. A map holding only these keys
   * of a VM must give the same changes as the VM's whole map.
   */
  readonly reads: readonly string[] | 'all'
  /**
   * Why this VM's keys contradict each other in what the plugin reads (say, two different names), so that no
   * plugin may change it; undefined when they agree. The job reports such a VM and leaves it as it is.
   */
  conflict?(config: ExtraConfigMap): string | undefined
  /** Pure and idempotent by content: returns the migrated map, never changes `config`. */
  migrate(config: ExtraConfigMap): ExtraConfigMap
}
