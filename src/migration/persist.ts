/**
 * Which migrated keys the migration job may write back to a VM, and which stay in memory.
 *
 * On a container only hidden keys (no `guestinfo.` prefix) are written: the guest cannot read them, vSphere takes
 * them while the VM runs, and the old tether inside the guest keeps reading `guestinfo.*` in the layout it knows.
 * So a plugin's changes to guest-visible keys live in memory only and are made again on every read. The appliance
 * is reconfigured as a whole during an upgrade, as VIC's did, so every change of its is written.
 *
 * Values follow vSphere's rules as VIC applied them: an empty value is sent as `<nil>`, because an empty string
 * deletes the key; the empty string is therefore sent only for a key a plugin removed.
 */
import { changeSet, keyScope, Scope, type ExtraConfigChange } from '../extraconfig/index.js'
import type { ExtraConfigMap, MigrationTarget } from './plugin.js'

export type ExtraConfigEntry = ExtraConfigChange

export interface PersistPlan {
  /** entries to send, sorted by key; `value: ''` removes the key */
  readonly persist: readonly ExtraConfigEntry[]
  /** changed keys that must not be written, sorted */
  readonly inMemoryOnly: readonly string[]
}

/** Keys without the `guestinfo.` prefix are hidden from the guest (VIC's reading of a key's scope). */
export function isHiddenKey(key: string): boolean {
  return (keyScope(key) & Scope.Hidden) !== 0
}

export function persistPlan(target: MigrationTarget, original: ExtraConfigMap, migrated: ExtraConfigMap): PersistPlan {
  const changes = changeSet(original, migrated, { running: false })
  const writable = (key: string): boolean => target === 'appliance' || isHiddenKey(key)
  return {
    persist: changes.filter((c) => writable(c.key)),
    inMemoryOnly: changes.filter((c) => !writable(c.key)).map((c) => c.key),
  }
}
