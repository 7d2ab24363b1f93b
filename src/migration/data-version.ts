/**
 * Data versions: the version stamp a VM's creator wrote, which says what that creator could do.
 *
 * VIC stamped every VM with `PluginVersion` (container: `guestinfo.vice./version/PluginVersion`, appliance:
 * `guestinfo.vice./init/version/PluginVersion`; VIC's own test pins these keys as never changing). The stamp is
 * never rewritten, not even in memory, on a container or on the appliance: it is the proof of what the creating
 * service could do (rename needs 4 or more, as in VIC), and a container's guest-visible keys keep the old layout
 * for the old tether inside the guest. It does not choose the migration plugins: they decide from the keys a VM
 * holds, because a stamp can claim a layout the keys do not have (migrations/README.md).
 */
import { MigrationError } from './errors.js'
import { isEmptyValue, type ExtraConfigMap, type MigrationTarget } from './plugin.js'

/**
 * The version new VMs are stamped with: VIC's last (its `MaxPluginVersion − 1`), until a plugin of ours goes
 * higher. The registry refuses a plugin above it, so adding plugin 11 means raising this to 11 here.
 */
export const latestDataVersion = 10

export const dataVersionKeys: Readonly<Record<MigrationTarget, string>> = {
  container: 'guestinfo.vice./version/PluginVersion',
  appliance: 'guestinfo.vice./init/version/PluginVersion',
}

/** A version as stored: decimal digits only (no sign, no spaces), as VIC's encoder writes an int. */
export function parseVersion(raw: string): number | undefined {
  const version = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN
  return Number.isSafeInteger(version) ? version : undefined
}

/** The stamped version, 0 when the VM carries none (the oldest VIC releases). */
export function readDataVersion(target: MigrationTarget, config: ExtraConfigMap): number {
  const key = dataVersionKeys[target]
  const raw = config.get(key)
  if (isEmptyValue(raw)) return 0
  const version = parseVersion(raw)
  if (version === undefined) {
    throw new MigrationError(
      'invalid_data_version',
      `${key} is ${JSON.stringify(raw)}, not a data version (a non-negative whole number); fix or remove the key`,
    )
  }
  return version
}
