/**
 * The store's writes that vSphere has not reported yet: what each of our own writes left a VM as, in the order
 * they finished, until the update loop reports the same (store.ts). A report that does not show a write is an
 * older view, collected before it, and is not shown.
 */
import type { MoRef } from '../vim/index.js'
import { reflects, type VmState } from './vm-state.js'

export interface UnconfirmedWrite {
  readonly vm: MoRef<'VirtualMachine'>
  readonly state: VmState | 'gone'
  /** the write's place in the order of our writes; a wait issued after it must report it */
  readonly seq: number
  /** a confirming read is in flight */
  reading?: boolean
  /** `state.changeVersion` is the one the write produced: only a report carrying it is the write */
  readonly exact?: boolean
  /** ExtraConfig keys the write took away: a report that still has one predates the write */
  readonly removed?: readonly string[]
}

/** Whether a report of a VM shows our write: its values, its removals, and its changeVersion when known. */
export function showsWrite(reported: VmState | undefined, write: UnconfirmedWrite): boolean {
  if (!reflects(reported, write.state)) return false
  if (write.state === 'gone' || !reported) return true
  if (write.removed?.some((key) => reported.extraConfig.has(key))) return false
  return !write.exact || reported.changeVersion === write.state.changeVersion
}

export class UnconfirmedWrites {
  readonly #byVm = new Map<string, UnconfirmedWrite>()
  #finished = 0

  /** How many writes have finished so far: taken before a call, it tells which writes came after it. */
  get finished(): number {
    return this.#finished
  }

  get size(): number {
    return this.#byVm.size
  }

  /** The write that just finished on VM `key`, numbered after every earlier one. */
  next(write: Omit<UnconfirmedWrite, 'seq'>): UnconfirmedWrite {
    return { ...write, seq: ++this.#finished }
  }

  set(key: string, write: UnconfirmedWrite): void {
    this.#byVm.set(key, write)
  }

  get(key: string): UnconfirmedWrite | undefined {
    return this.#byVm.get(key)
  }

  /** The write on VM `key` is confirmed (or moot). */
  settle(key: string): void {
    this.#byVm.delete(key)
  }

  clear(): void {
    this.#byVm.clear()
  }

  entries(): IterableIterator<[string, UnconfirmedWrite]> {
    return this.#byVm.entries()
  }
}
