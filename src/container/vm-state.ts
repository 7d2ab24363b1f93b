/**
 * A container VM as read from vSphere: the few properties the service needs, gathered into one record. The store
 * keeps one per VM, fed by a batched read at start and by WaitForUpdatesEx afterwards; every decision about the
 * container is derived from it (container.ts).
 */
import { containerKeys } from '../extraconfig/index.js'
import type { MoRef, OptionValue, PropertyChange, VirtualMachinePowerState } from '../vim/index.js'
import { isContainerId } from './naming.js'

/** The properties read of every container VM; narrow on purpose, never all of `config`. */
export const vmPaths = [
  'name',
  'config.changeVersion',
  'config.extraConfig',
  'config.files.vmPathName',
  'runtime.powerState',
] as const

export interface VmState {
  readonly moref: MoRef<'VirtualMachine'>
  readonly displayName: string
  readonly changeVersion: string
  readonly extraConfig: ReadonlyMap<string, string>
  readonly vmPathName: string
  readonly powerState: VirtualMachinePowerState
  /** our own commit changed the VM after this was read, so `changeVersion` is old: read again before writing */
  readonly stale?: boolean
}

/** The VM as a container, or undefined when it carries no container ID (not ours to manage). */
export function vmStateFrom(moref: MoRef, props: Readonly<Record<string, unknown>>): VmState | undefined {
  const extraConfig = extraConfigMap(props['config.extraConfig'])
  const id = extraConfig.get(containerKeys.id)
  if (id === undefined || !isContainerId(id)) return undefined
  return {
    moref: moref as MoRef<'VirtualMachine'>,
    displayName: String(props['name'] ?? ''),
    changeVersion: String(props['config.changeVersion'] ?? ''),
    extraConfig,
    vmPathName: String(props['config.files.vmPathName'] ?? ''),
    powerState: (props['runtime.powerState'] as VirtualMachinePowerState | undefined) ?? 'poweredOff',
  }
}

export function extraConfigMap(value: unknown): Map<string, string> {
  const map = new Map<string, string>()
  if (!Array.isArray(value)) return map
  for (const option of value as OptionValue[]) map.set(option.key, option.value === undefined ? '' : String(option.value))
  return map
}

/** Applies one WaitForUpdatesEx change to a VM's raw properties. */
export function applyChange(props: Record<string, unknown>, change: PropertyChange): void {
  if (change.op === 'remove' || change.op === 'indirectRemove') delete props[change.name]
  else props[change.name] = change.val
}

/**
 * Whether what vSphere reports (undefined: the VM is gone or not a container) includes what our own write left:
 * the same display name and power state, and every ExtraConfig key as we wrote it (vSphere may add keys of its
 * own, and the folder it chose may differ from the one recorded at create).
 */
export function reflects(reported: VmState | undefined, expected: VmState | 'gone'): boolean {
  if (expected === 'gone') return reported === undefined
  if (!reported) return false
  if (reported.displayName !== expected.displayName || reported.powerState !== expected.powerState) return false
  for (const [key, value] of expected.extraConfig) if (reported.extraConfig.get(key) !== value) return false
  return true
}
