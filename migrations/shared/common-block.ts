/**
 * VIC's `common` block as its plugins 1 and 2 rewrote it, shared by our plugins 1 (appliance) and 2 (container).
 *
 * Before VIC 1.1 (data version 2) the name was read-only, so guest-visible (`guestinfo.vice./common/name`); VIC
 * then made it hidden (`common/name`) so it could be changed while the VM runs, which is what rename needs. VIC's
 * plugins decoded the block with the old layout and encoded it again with the new one, so beside the hidden name
 * they wrote the block's other keys with the values they already had: `id` and `ExecutionEnvironment` (read-only,
 * guest-visible) and `notes` (hidden), each `<nil>` when it was missing. The old name key stays where it was: the
 * old tether in the guest still reads it.
 *
 * The rewrite runs when its precondition holds, whatever the VM's version stamp says: an old name and no hidden
 * one (migrations/README.md tells which releases left which). Two guards VIC lacked keep it idempotent and
 * lossless: without an old name the map is left as it is (VIC would have written an empty name), and an existing
 * hidden name is never overwritten. Two names that disagree are a conflict the job reports instead of choosing.
 */
import { isEmptyValue, nilValue, type ExtraConfigMap } from '../../src/migration/plugin.js'

/** The path of the block's parent: '' for a container, 'init/' for the appliance. */
export type BlockPrefix = '' | 'init/'

function blockKeys(prefix: BlockPrefix) {
  return {
    oldName: `guestinfo.vice./${prefix}common/name`,
    hiddenName: `${prefix}common/name`,
    rest: [
      `guestinfo.vice./${prefix}common/id`,
      `guestinfo.vice./${prefix}common/ExecutionEnvironment`,
      `${prefix}common/notes`,
    ],
  }
}

/** Every key the rewrite looks at. */
export function commonBlockReads(prefix: BlockPrefix): string[] {
  const keys = blockKeys(prefix)
  return [keys.oldName, keys.hiddenName, ...keys.rest]
}

/** Two names that disagree: the old one, and a hidden one that holds something else (or nothing). */
export function commonNameConflict(config: ExtraConfigMap, prefix: BlockPrefix): string | undefined {
  const { oldName, hiddenName } = blockKeys(prefix)
  const old = config.get(oldName)
  const hidden = config.get(hiddenName)
  if (isEmptyValue(old) || hidden === undefined || hidden === old) return undefined
  const holds = isEmptyValue(hidden) ? 'is empty' : `holds ${JSON.stringify(hidden)}`
  return (
    `${hiddenName} ${holds} but ${oldName} holds ${JSON.stringify(old)}: the job cannot tell which is the ` +
    `name, so it leaves the VM as it is; set ${hiddenName} to the right name (the service reads that key) and ` +
    `run the job again`
  )
}

export function addHiddenCommonName(config: ExtraConfigMap, prefix: BlockPrefix): ExtraConfigMap {
  const migrated = new Map(config)
  const { oldName: oldKey, hiddenName, rest } = blockKeys(prefix)
  const oldName = config.get(oldKey)
  if (isEmptyValue(oldName) || config.has(hiddenName)) return migrated

  migrated.set(hiddenName, oldName)
  for (const key of rest) if (!config.has(key)) migrated.set(key, nilValue)
  return migrated
}
