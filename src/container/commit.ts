/**
 * Handle and commit: every change to a container VM is computed from a snapshot of it (its ExtraConfig and
 * changeVersion) and committed as one ReconfigVM_Task carrying that changeVersion, as VIC's handles were. A stale
 * version fails with ConcurrentAccess; the change is then computed again from a fresh read and replayed, a bounded
 * number of times. No read-modify-write of a VM happens anywhere else.
 */
import { changeSet } from '../extraconfig/index.js'
import { isFault, type VimClient, type VirtualMachineConfigSpec } from '../vim/index.js'
import type { Container } from './container.js'
import { ContainerError } from './errors.js'
import type { ContainerStore } from './store.js'
import type { VmState } from './vm-state.js'
import { isVmGone, resendIfRefused } from './vsphere-errors.js'

/** What a caller wants of a VM, computed from a snapshot. */
export interface Change {
  /** new display name */
  readonly name?: string
  /** the whole ExtraConfig as it should be, in wire form; only what differs is sent */
  readonly extraConfig?: ReadonlyMap<string, string>
  readonly deviceChange?: VirtualMachineConfigSpec['deviceChange']
}

export interface CommitDeps {
  readonly client: VimClient
  readonly store: ContainerStore
}

export const commitAttempts = 5

/**
 * Commits `change(snapshot)` to the container's VM; `change` returning undefined means nothing to do. Returns the
 * container as committed.
 */
export async function commit(
  deps: CommitDeps,
  id: string,
  change: (snapshot: Container) => Change | undefined,
  opId: string,
): Promise<Container> {
  let snapshot = deps.store.get(id)
  if (snapshot.vm.stale) snapshot = await freshOrGone(deps, snapshot, opId)
  for (let attempt = 1; ; attempt++) {
    const wanted = change(snapshot)
    const spec = wanted && configSpec(snapshot.vm, wanted)
    if (!wanted || !spec) return snapshot
    const since = deps.store.reportsOf(snapshot.vm.moref)
    try {
      await resendIfRefused(() => deps.client.reconfigureVM(snapshot.vm.moref, spec, { opId }))
    } catch (err) {
      if (isVmGone(err, snapshot.vm.moref)) {
        // deleted elsewhere before the store heard of it
        deps.store.removed(snapshot.vm.moref)
        throw new ContainerError('not_found', `container ${snapshot.name} no longer exists`, { cause: err })
      }
      if (!isFault(err, 'ConcurrentAccess')) throw err
      if (attempt >= commitAttempts)
        throw new ContainerError(
          'conflict',
          `container ${snapshot.name} kept changing while it was being updated; try again`,
          { cause: err },
        )
      snapshot = await freshOrGone(deps, snapshot, opId)
      continue
    }
    return deps.store.committed(applied(snapshot.vm, spec), { since, removed: removedKeys(spec) }) ?? snapshot
  }
}

async function freshOrGone(deps: CommitDeps, c: Container, opId: string): Promise<Container> {
  const fresh = await deps.store.fresh(c.vm.moref, opId)
  if (!fresh || fresh.id !== c.id) throw new ContainerError('not_found', `container ${c.name} no longer exists`)
  return fresh
}

/** The reconfigure spec for a change, or undefined when it changes nothing. */
export function configSpec(vm: VmState, change: Change): VirtualMachineConfigSpec | undefined {
  const running = vm.powerState === 'poweredOn'
  const extraConfig = change.extraConfig ? changeSet(vm.extraConfig, change.extraConfig, { running }) : []
  const rename = change.name !== undefined && change.name !== vm.displayName
  const devices = change.deviceChange ?? []
  if (!rename && extraConfig.length === 0 && devices.length === 0) return undefined
  return {
    changeVersion: vm.changeVersion,
    ...(rename ? { name: change.name } : {}),
    ...(devices.length > 0 ? { deviceChange: devices } : {}),
    ...(extraConfig.length > 0 ? { extraConfig: extraConfig.map(({ key, value }) => ({ key, value })) } : {}),
  }
}

/** The ExtraConfig keys a spec takes away (an empty value removes a key). */
export function removedKeys(spec: VirtualMachineConfigSpec): string[] {
  return (spec.extraConfig ?? []).filter(({ value }) => value === undefined || value === '').map(({ key }) => key)
}

/** The VM's state after `spec` was applied (its new changeVersion is not known yet). */
export function applied(vm: VmState, spec: VirtualMachineConfigSpec): VmState {
  const extraConfig = new Map(vm.extraConfig)
  for (const { key, value } of spec.extraConfig ?? []) {
    if (value === undefined || value === '') extraConfig.delete(key)
    else extraConfig.set(key, String(value))
  }
  return { ...vm, displayName: spec.name ?? vm.displayName, extraConfig }
}
