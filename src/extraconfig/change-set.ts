/**
 * What to send to vSphere to turn a VM's ExtraConfig into the wanted one. Only keys whose wire value differs are
 * sent; a key the VM has and the wanted map lacks is deleted (sent with an empty value, which is how vSphere deletes
 * an option), so `wanted` must be the VM's whole ExtraConfig as it should be (encodeContainer keeps the keys it does
 * not model). A running VM is sent hidden and `@non-persistent` keys only, as VIC does (scope.ts).
 */
import { compareCodePoints } from './encode.js'
import { writableWhileRunning } from './scope.js'
import { escapeNil, wireEntries, type WireInput, type WireMap } from './wire.js'

export interface ExtraConfigChange {
  readonly key: string
  /** the wire value to write; '' deletes the key */
  readonly value: string
}

export interface ChangeOptions {
  /** the VM is powered on: leave persistent guest-visible keys alone */
  readonly running: boolean
}

export function changeSet(current: WireInput, wanted: WireInput, options: ChangeOptions): ExtraConfigChange[] {
  const before = new Map(wireEntries(current))
  const after = new Map(wireEntries(wanted).map(([key, value]) => [key, escapeNil(value)]))
  const changes: ExtraConfigChange[] = []
  for (const [key, value] of after) {
    const old = before.get(key)
    if (old === undefined || escapeNil(old) !== value) changes.push({ key, value })
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push({ key, value: '' })
  return changes
    .filter((change) => !options.running || writableWhileRunning(change.key))
    .sort((a, b) => compareCodePoints(a.key, b.key))
}

/** The part of an ExtraConfig map a running VM may be sent. */
export function runningSubset(extraConfig: WireInput): WireMap {
  return Object.fromEntries(wireEntries(extraConfig).filter(([key]) => writableWhileRunning(key)))
}
