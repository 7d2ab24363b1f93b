/**
 * The writer lease: which `portlayer serve` of a namespace may write to it. The record (lease-record.ts) lives in a
 * hidden ExtraConfig key of one small powered-off VM in the namespace's VM folder, and every change of it is a
 * compare-and-set on that VM's `changeVersion` (ReconfigVM_Task carrying the version last read), the pattern of
 * Kubernetes leader election over a Lease's resourceVersion. No clock is compared across machines: a standby
 * measures, on its own monotonic clock, how long the record has stayed unchanged since it first saw it, and takes
 * over only once that passes the record's duration; the writer stops writing `marginMs` before the duration has
 * passed since it *sent* its last renewal, which no standby can have seen earlier. The design, its timings and why
 * a frozen writer cannot write after a takeover are in docs/writer-lease.md.
 */
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { Logger } from 'pino'
import { objectsFilterSpec, retrieveAll } from '../../vim/property.js'
import { taskOutcome } from '../../vim/task.js'
import { isTaskDone } from '../../vim/task-watcher.js'
import {
  extraConfigFrom,
  extraConfigKeyPath,
  isFault,
  methods,
  VimUnreachable,
  type MoRef,
  type TaskInfo,
  type VimClient,
} from '../../vim/index.js'
import type { Target } from '../placement.js'
import { formatLease, leaseKey, parseLease, type LeaseRecord } from './lease-record.js'

export interface LeaseTimings {
  /** how long a renewal holds */
  readonly durationMs: number
  /** how often the writer renews */
  readonly renewEveryMs: number
  /** how often a standby reads the record */
  readonly watchEveryMs: number
  /** how long before the duration ends the writer stops writing (clock rate drift, a slow send) */
  readonly marginMs: number
}

/** The timings of a lease that holds `durationMs`: renewed four times in it, read eight times by a standby. */
export function leaseTimingsFor(durationMs: number): LeaseTimings {
  return { durationMs, renewEveryMs: durationMs / 4, watchEveryMs: durationMs / 8, marginMs: durationMs / 4 }
}

export const defaultLeaseTimings: LeaseTimings = leaseTimingsFor(8_000)

/** the lease VM's display name in the namespace's VM folder */
export const leaseVmName = 'portlayer-writer'

/** `joining` until the first round has decided; `taking-over` while a new writer catches up before it writes */
export type Role = 'joining' | 'standby' | 'taking-over' | 'writer'

export interface LeaseDeps {
  readonly client: VimClient
  readonly target: Target
  readonly log: Logger
  readonly timings?: Partial<LeaseTimings>
}

/** The record as last read, with when this process first saw that version of the VM. */
interface Observed {
  readonly changeVersion: string
  readonly record: LeaseRecord | undefined
  /** monotonic ms */
  readonly since: number
}

export class WriterLease {
  /** this process, as the record names it */
  readonly identity = randomUUID()
  readonly timings: LeaseTimings
  #vm: MoRef<'VirtualMachine'> | undefined
  #address = ''
  #dockerAddress: string | undefined
  #observed: Observed | undefined
  #role: Role = 'joining'
  /** monotonic ms until which this process may write */
  #mayWriteUntil = 0
  #timer: NodeJS.Timeout | undefined
  #closed = false
  #takeOver: (changeVersion: string) => Promise<void> = async () => undefined
  /** the takeover under way, run beside the rounds so that renewals go on while it lasts */
  #takingOver: Promise<void> = Promise.resolve()
  readonly #listeners = new Set<(role: Role) => void>()
  /** conditions waited for (`#until`), checked after each renewal and change of role */
  readonly #waiters = new Set<() => void>()

  constructor(private readonly deps: LeaseDeps) {
    this.timings = { ...defaultLeaseTimings, ...deps.timings }
  }

  /**
   * Finds (or makes) the lease VM and plays one round: this process is the writer, or a standby, when it resolves.
   * `takeOver` runs once this process holds the lease and before it serves writes (with the lease VM's new
   * changeVersion): catch up with the namespace and settle what a dead writer left.
   */
  async start(address: string, takeOver: (changeVersion: string) => Promise<void>, dockerAddress?: string): Promise<void> {
    this.#address = address
    this.#dockerAddress = dockerAddress
    this.#takeOver = takeOver
    this.#vm = await this.#findOrCreate()
    await this.#round()
    this.#schedule()
    await this.#takingOver
  }

  get role(): Role {
    return this.#role
  }

  /** The lease VM, once started. */
  get vm(): MoRef<'VirtualMachine'> | undefined {
    return this.#vm
  }

  /** True while this process holds the lease and may send writes. */
  holds(): boolean {
    return !this.#closed && this.#holding() && performance.now() < this.#mayWriteUntil
  }

  #holding(): boolean {
    return this.#role === 'writer' || this.#role === 'taking-over'
  }

  /** The writer as the record last named it, when that is another process whose lease has not lapsed. */
  writer(): LeaseRecord | undefined {
    const seen = this.#observed
    if (!seen?.record || seen.record.holder === '' || seen.record.holder === this.identity) return undefined
    return this.#lapsed(seen) ? undefined : seen.record
  }

  /**
   * Resolves true as soon as this process holds the lease (at once when it does), false after `ms` or once it stops
   * being the writer: a writer whose renewals failed for a while (a network that just healed) makes a write wait for
   * its next renewal rather than refuse it.
   */
  held(ms: number): Promise<boolean> {
    // a lease this process no longer tries to keep (it lapsed for good) ends the wait too
    return this.#until(() => this.holds() || !this.#holding(), ms).then(() => this.holds())
  }

  /** Resolves true once this process is no longer joining or taking over (a writer or a standby), false after `ms`. */
  settled(ms: number): Promise<boolean> {
    return this.#until(() => this.#role === 'writer' || this.#role === 'standby', ms)
  }

  /** Resolves when `done` holds, checked at once and after each renewal or change of role; false after `ms`. */
  #until(done: () => boolean, ms: number): Promise<boolean> {
    if (done()) return Promise.resolve(true)
    return new Promise((resolve) => {
      const check = (): void => {
        if (!done()) return
        clearTimeout(timer)
        this.#waiters.delete(check)
        resolve(true)
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(check)
        resolve(done())
      }, ms)
      this.#waiters.add(check)
    })
  }

  onRole(listener: (role: Role) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Stops the rounds; a writer lets the lease go (one compare-and-set) so a standby takes over at once. */
  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    const seen = this.#observed
    if (!this.#holding() || !seen || !this.#vm || performance.now() >= this.#mayWriteUntil) return
    this.#setRole('standby')
    const released: LeaseRecord = { holder: '', address: '', durationMs: this.timings.durationMs, renewedAt: new Date().toISOString() }
    await this.#write(seen.changeVersion, released).catch((err: unknown) =>
      this.deps.log.warn({ err }, 'could not let the writer lease go; a standby takes over once it lapses'),
    )
  }

  #schedule(): void {
    if (this.#closed) return
    const every = this.#holding() ? this.timings.renewEveryMs : this.timings.watchEveryMs
    this.#timer = setTimeout(() => {
      this.#round()
        .catch((err: unknown) => this.deps.log.warn({ err }, 'writer lease round failed'))
        .finally(() => this.#schedule())
    }, every)
    this.#timer.unref()
  }

  /**
   * One round. A writer whose lease is still its own renews it; anyone else (a standby, or a writer that was
   * frozen or cut off past its duration) reads the record first and acquires it only when it is free, lapsed or
   * still this process's own and unchanged.
   */
  async #round(): Promise<void> {
    if (this.#closed) return
    const seen = this.#observed
    if (this.#holding() && seen && performance.now() < this.#mayWriteUntil + this.timings.marginMs) {
      await this.#renew(seen)
      return
    }
    if (this.#holding()) {
      // writes wait while it finds out whether it may take the lease again (joining), or serves as a standby
      this.deps.log.warn({ identity: this.identity }, 'writer lease lapsed before it could be renewed; no more writes')
      this.#setRole('joining')
    }
    const now = await this.#read()
    const record = now.record
    const mine = record?.holder === this.identity
    if (!record || record.holder === '' || mine || this.#lapsed(now)) await this.#acquire(now)
    if (this.#role === 'joining') this.#setRole('standby')
  }

  async #renew(seen: Observed): Promise<void> {
    try {
      await this.#claim(seen.changeVersion)
    } catch (err) {
      if (!isFault(err, 'ConcurrentAccess')) {
        this.deps.log.warn({ err }, 'cannot renew the writer lease now; trying again')
        return
      }
      // the VM changed: another process took the lease, or someone touched the VM
      const now = await this.#read()
      if (now.record?.holder !== this.identity) {
        this.deps.log.warn({ writer: now.record?.address }, 'another process holds the writer lease; this one is a standby now')
        this.#mayWriteUntil = 0
        this.#setRole('standby')
      }
    }
  }

  async #acquire(seen: Observed): Promise<void> {
    try {
      const changeVersion = await this.#claim(seen.changeVersion)
      this.deps.log.info({ identity: this.identity, address: this.#address }, 'holding the writer lease; taking over the namespace')
      this.#setRole('taking-over')
      this.#takingOver = this.#takeOver(changeVersion).then(
        () => {
          if (this.#role !== 'taking-over' || !this.holds()) return
          this.#setRole('writer')
          this.deps.log.info({ address: this.#address }, 'writer of the namespace')
        },
        (err: unknown) => {
          // the next round finds the record still this process's own and takes over again
          this.deps.log.warn({ err }, 'taking over the namespace failed; trying again')
          if (this.#role === 'taking-over') this.#setRole('standby')
        },
      )
    } catch (err) {
      if (!isFault(err, 'ConcurrentAccess')) throw err
      // another process was quicker: learn who, so that writes go to it at once
      await this.#read()
    }
  }

  /** Writes this process's record over `changeVersion`; on success this process may write for a while. */
  async #claim(changeVersion: string): Promise<string> {
    const sentAt = performance.now()
    const record: LeaseRecord = {
      holder: this.identity,
      address: this.#address,
      ...(this.#dockerAddress ? { dockerAddress: this.#dockerAddress } : {}),
      durationMs: this.timings.durationMs,
      renewedAt: new Date().toISOString(),
    }
    const next = await this.#write(changeVersion, record)
    this.#mayWriteUntil = sentAt + this.timings.durationMs - this.timings.marginMs
    this.#observed = { changeVersion: next, record, since: sentAt }
    for (const check of [...this.#waiters]) check()
    return next
  }

  /** One compare-and-set of the record; resolves with the VM's new changeVersion. */
  async #write(changeVersion: string, record: LeaseRecord): Promise<string> {
    const { client } = this.deps
    const vm = this.#vm as MoRef<'VirtualMachine'>
    const spec = { changeVersion, extraConfig: [{ key: leaseKey, value: formatLease(record) }] }
    // the lease's own writes are what grant the right to write: they go around the client's write guard
    const task = await methods.reconfigVMTask(client.session, vm, spec, this.#call())
    let { info, changeVersion: next } = await this.#readWith(task)
    if (!info || !isTaskDone(info)) {
      await client.waitForTask(task, this.#call())
      ;({ changeVersion: next } = await this.#readWith())
      return next
    }
    taskOutcome(info)
    return next
  }

  /** The record as vSphere holds it now, noting when this version was first seen. */
  async #read(): Promise<Observed> {
    const { changeVersion, record } = await this.#readWith()
    const seen = this.#observed
    const observed: Observed =
      seen && seen.changeVersion === changeVersion ? { ...seen, record } : { changeVersion, record, since: performance.now() }
    this.#observed = observed
    return observed
  }

  /** One read of the lease VM's changeVersion and record, and of `task`'s info when given. */
  async #readWith(task?: MoRef<'Task'>): Promise<{ changeVersion: string; record: LeaseRecord | undefined; info?: TaskInfo }> {
    const { client } = this.deps
    const vm = this.#vm as MoRef<'VirtualMachine'>
    const specSet = [objectsFilterSpec([vm], ['config.changeVersion', extraConfigKeyPath(leaseKey)])]
    if (task) specSet.push(objectsFilterSpec([task], ['info']))
    const objects = await retrieveAll(client.session, client.propertyCollector, specSet, this.#call())
    let changeVersion = ''
    let record: LeaseRecord | undefined
    let info: TaskInfo | undefined
    for (const { obj, props } of objects) {
      if (obj.type === 'Task') info = props['info'] as TaskInfo | undefined
      if (obj.type !== 'VirtualMachine') continue
      changeVersion = String(props['config.changeVersion'] ?? '')
      record = parseLease(extraConfigFrom(props, [leaseKey]).get(leaseKey))
    }
    return { changeVersion, record, ...(info ? { info } : {}) }
  }

  /**
   * A lease call may not outlast a renewal period (a stalled answer must not eat the lease's time), nor wait behind
   * the service's own calls for a place under the client's concurrency bound.
   */
  #call(): { opId: string; timeoutMs: number; urgent: true } {
    return { opId: 'writer-lease', timeoutMs: Math.max(1_000, this.timings.renewEveryMs), urgent: true }
  }

  #lapsed(seen: Observed): boolean {
    const duration = Math.max(seen.record?.durationMs ?? 0, this.timings.durationMs)
    return performance.now() - seen.since >= duration
  }

  /** The lease VM in the namespace's folder, made on first use (two processes making it at once: one wins). */
  async #findOrCreate(): Promise<MoRef<'VirtualMachine'>> {
    const { client, target, log } = this.deps
    const op = { opId: 'writer-lease' }
    const found = await client.findChild(target.vmFolder, leaseVmName, op)
    if (found) return found as MoRef<'VirtualMachine'>
    const spec = {
      name: leaseVmName,
      guestId: 'otherGuest',
      files: { vmPathName: `[${target.datastore.name}]` },
      numCPUs: 1,
      memoryMB: 4,
      annotation: 'Holds the portlayer writer lease of this folder (hidden ExtraConfig key portlayer/writer). Do not remove while portlayer runs.',
    }
    try {
      const task = await methods.createVMTask(client.session, target.vmFolder, spec, target.pool, undefined, op)
      const vm = (await client.waitForTask(task, op)) as MoRef<'VirtualMachine'>
      log.info({ vm: vm.value }, 'made the writer lease VM')
      return vm
    } catch (err) {
      if (!isFault(err, 'DuplicateName') && !(err instanceof VimUnreachable)) throw err
      const again = await client.findChild(target.vmFolder, leaseVmName, op)
      if (!again) throw err
      return again as MoRef<'VirtualMachine'>
    }
  }

  #setRole(role: Role): void {
    if (this.#role === role) return
    this.#role = role
    for (const listener of this.#listeners) listener(role)
    for (const check of [...this.#waiters]) check()
  }
}
