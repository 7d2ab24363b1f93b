/**
 * The migration job's plan for one VM (pure): from the VM's properties as listed to what the job writes to it.
 *
 * A VM is a container when it carries a container ID, the VCH appliance when it carries VIC's `init` keys, and
 * none of the job's business otherwise. Every plugin of its target runs in memory and decides from the keys
 * themselves (migrate.ts); of their changes, persist.ts says which may be written. What is written goes out in one
 * reconfigure together with the migration record (migration-record.ts), so the record is on the VM exactly when
 * the changes are. A run killed at any point resumes without applying anything twice, because a plugin whose
 * change is on the VM finds nothing left to do. A VM whose keys contradict each other (a plugin's `conflict`) is
 * left as it is: the job reports it and writes nothing to it.
 *
 * A running appliance is refused rather than half written: its guest-visible keys are VIC's to change only while
 * it is powered off (a running VM is sent hidden keys only), and a record must never claim what was not written.
 */
import type { MoRef, VirtualMachinePowerState } from '../vim/index.js'
import { MigrationError } from './errors.js'
import { migrateInMemory, PluginFailedError } from './migrate.js'
import { migrationRecordEntry, readMigratedVersion } from './migration-record.js'
import { isHiddenKey, persistPlan, type ExtraConfigEntry } from './persist.js'
import { dataVersionKeys, readDataVersion } from './data-version.js'
import { isEmptyValue, type ExtraConfigMap, type MigrationTarget } from './plugin.js'
import type { PluginRegistry } from './registry.js'

/** One VM as the job read it. */
export interface VmSnapshot {
  readonly vm: MoRef<'VirtualMachine'>
  readonly name: string
  /** '' when vSphere keeps none (then the write cannot detect a concurrent change) */
  readonly changeVersion: string
  readonly powerState: VirtualMachinePowerState
  readonly extraConfig: ExtraConfigMap
}

/**
 * A VM as the job holds it from its listing to its write: what the write needs and the plan, not the ExtraConfig
 * (some 60 keys, a few KB), which is planned from as soon as the VM is listed and then dropped. Two pages of VMs
 * are held at a time; held with their maps, they reached the old generation and grew the heap page by page.
 */
export interface PlannedVm {
  readonly vm: MoRef<'VirtualMachine'>
  readonly name: string
  /** the changeVersion the plan was made from, for the write's check */
  readonly changeVersion: string
  readonly plan: VmPlan
}

/** One key as the plan changes it; `from`/`to` undefined mean absent (added / removed). */
export interface KeyDiff {
  readonly key: string
  readonly from?: string
  readonly to?: string
}

interface PlanBase {
  readonly target: MigrationTarget
  /** the data version stamped on the VM */
  readonly fromVersion: number
}

/** What one plugin changed on a VM, split as the job handles it. */
export interface PluginOutcome {
  readonly version: number
  readonly name: string
  /** keys written (or to be written) to the VM */
  readonly written: readonly string[]
  /** changed keys left in memory, because the guest would see them */
  readonly inMemoryOnly: readonly string[]
}

export type VmPlan =
  /** not a VIC VM: the job leaves it alone */
  | { readonly kind: 'ignored' }
  /** nothing to write: no plugin changes anything, or the job wrote the VM before and finds nothing new */
  | (PlanBase & { readonly kind: 'current' })
  /** plugins ran; `writes` empty means every change is guest-visible and stays in memory */
  | (PlanBase & {
      readonly kind: 'migrate'
      /** versions of the plugins that changed something */
      readonly applied: readonly number[]
      /** what each of them changed */
      readonly plugins: readonly PluginOutcome[]
      /** entries of the one reconfigure, the migration record included; sorted by key, record last */
      readonly writes: readonly ExtraConfigEntry[]
      /** `writes` as a reader wants them: the old and the new value of each key */
      readonly diff: readonly KeyDiff[]
      /** changed keys left in memory, because the guest would see them */
      readonly inMemoryOnly: readonly string[]
    })
  /** the VM cannot be migrated as it is; `reason` says what a person can do */
  | (PlanBase & { readonly kind: 'refused'; readonly reason: string })
  /** the VM's keys contradict each other: it is left as it is; `reason` says which and what to do */
  | (PlanBase & { readonly kind: 'inconsistent'; readonly reason: string })

const containerIdKey = 'guestinfo.vice./common/id'
const appliancePrefixes = ['guestinfo.vice./init/', 'init/']

/**
 * The keys that tell a container from the appliance when the job lists only some keys: the container ID, the
 * version stamps, and the appliance's ID and names (every appliance VIC made has the ID key and one of the names).
 */
export const targetKeys: readonly string[] = [
  containerIdKey,
  dataVersionKeys.container,
  dataVersionKeys.appliance,
  'guestinfo.vice./init/common/id',
  'guestinfo.vice./init/common/name',
  'init/common/name',
]

/**
 * Which plugins apply to the VM: a container, the appliance, or none (not a VIC VM). Any container ID counts,
 * not only docker's 64 hex digits: the job upgrades whatever VIC stored, and VIC did not check the ID's form.
 */
export function vmTarget(config: ExtraConfigMap): MigrationTarget | undefined {
  if (!isEmptyValue(config.get(containerIdKey))) return 'container'
  if (config.has(dataVersionKeys.appliance)) return 'appliance'
  for (const key of config.keys()) if (appliancePrefixes.some((p) => key.startsWith(p))) return 'appliance'
  return undefined
}

export function planVm(registry: PluginRegistry, vm: VmSnapshot): VmPlan {
  const config = vm.extraConfig
  const target = vmTarget(config)
  if (target === undefined) return { kind: 'ignored' }
  let fromVersion = 0
  try {
    fromVersion = readDataVersion(target, config)
    const base: PlanBase = { target, fromVersion }
    const result = migrateInMemory(registry, target, config)
    if (result.conflicts.length > 0) return { ...base, kind: 'inconsistent', reason: result.conflicts.join('; ') }
    if (!result.migrated) return { ...base, kind: 'current' }

    const { persist, inMemoryOnly } = persistPlan(target, config, result.map)
    // a VM the job wrote before is done with, though its guest-visible changes are made again on every read
    if (persist.length === 0 && readMigratedVersion(config) >= registry.latestVersion(target)) {
      return { ...base, kind: 'current' }
    }
    if (target === 'appliance' && vm.powerState !== 'poweredOff' && persist.some((e) => !isHiddenKey(e.key))) {
      return {
        ...base,
        kind: 'refused',
        reason:
          'the appliance VM is running and its migration changes guest-visible keys; ' +
          'power it off and run the job again',
      }
    }
    const persisted = new Set(persist.map((e) => e.key))
    const plugins = result.changes.map((c) => ({
      version: c.version,
      name: c.name,
      written: c.keys.filter((k) => persisted.has(k)),
      inMemoryOnly: c.keys.filter((k) => !persisted.has(k)),
    }))
    // the record names the newest plugin the VM's data was brought up to, not only those that changed it
    const writes = persist.length > 0 ? [...persist, migrationRecordEntry(registry.latestVersion(target))] : []
    return {
      ...base,
      kind: 'migrate',
      applied: result.applied,
      plugins,
      writes,
      diff: writes.map((entry) => keyDiff(config, entry)),
      inMemoryOnly,
    }
  } catch (err) {
    if (err instanceof PluginFailedError || MigrationError.is(err, 'invalid_data_version')) {
      return { target, fromVersion, kind: 'refused', reason: err.message }
    }
    throw err
  }
}

/** The VM planned from its snapshot, the snapshot's ExtraConfig left behind. */
export function plannedVm(registry: PluginRegistry, vm: VmSnapshot): PlannedVm {
  return { vm: vm.vm, name: vm.name, changeVersion: vm.changeVersion, plan: planVm(registry, vm) }
}

function keyDiff(config: ExtraConfigMap, entry: ExtraConfigEntry): KeyDiff {
  const from = config.get(entry.key)
  // vSphere deletes a key sent with an empty value
  const to = entry.value === '' ? undefined : entry.value
  return { key: entry.key, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }
}
