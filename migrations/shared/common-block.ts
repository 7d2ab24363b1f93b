/**
 * VIC's `common` block as its plugins 1 and 2 rewrote it, shared by our plugins 1 (appliance) and 2 (container).
 *
 * Before VIC 0.8 the name was read-only, so guest-visible (`guestinfo.vice./common/name`); VIC then made it hidden
 * (`common/name`) so it could be changed while the VM runs, which is what rename needs. VIC's plugins decoded the
 * block with the old layout and encoded it again with the new one, so beside the hidden name they wrote the block's
 * other keys with the values they already had: `id` and `ExecutionEnvironment` (read-only, guest-visible) and
 * `notes` (hidden), each `<nil>` when it was missing. The old name key stays where it was: the old tether in the
 * guest still reads it.
 *
 * Two guards VIC lacked, so the rewrite is idempotent and never loses data: without an old name the map is left as
 * it is (VIC would have written an empty name), and an existing hidden name is never overwritten.
 */
import { isEmptyValue, nilValue, type ExtraConfigMap } from '../../src/migration/plugin.js'

/** `prefix` is the path of the block's parent: '' for a container, 'init/' for the appliance. */
export function addHiddenCommonName(config: ExtraConfigMap, prefix: '' | 'init/'): ExtraConfigMap {
  const migrated = new Map(config)
  const oldName = config.get(`guestinfo.vice./${prefix}common/name`)
  if (isEmptyValue(oldName)) return migrated

  const hiddenName = `${prefix}common/name`
  if (!config.has(hiddenName)) migrated.set(hiddenName, oldName)
  const rest = [
    `guestinfo.vice./${prefix}common/id`,
    `guestinfo.vice./${prefix}common/ExecutionEnvironment`,
    `${prefix}common/notes`,
  ]
  for (const key of rest) if (!config.has(key)) migrated.set(key, nilValue)
  return migrated
}
