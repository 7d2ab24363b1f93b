/**
 * The container store: an in-memory index of every container VM in the configured VM folder, by ID, ID prefix and
 * name. vSphere stays the only state; the store is a cache kept true by one WaitForUpdatesEx loop over a
 * ContainerView of the folder, so VMs renamed, powered or deleted outside portlayer show up within the simulator's
 * poll interval (250 ms) or vCenter's push. The loop's first answer is the full listing, so start-up costs one view,
 * one collector, one filter and one wait.
 *
 * Writes go through handles (commit.ts); after our own commit the entry is updated at once (the API shows the
 * new state immediately) and marked stale, because its new changeVersion is only known once vSphere reports it.
 * Until the loop reports a state that includes the write, its reports of that VM are older views (collected
 * before the write) and are not shown. A wait issued after the write has finished must include it; if its answer
 * does not, something else happened to the VM in between, and one read settles what vSphere holds. That is what
 * catches a VM created here and destroyed elsewhere before the loop ever saw it: both fall between two
 * collections, so the loop never reports that VM at all. No read is spent while the loop keeps up, and while a
 * write is unreported a wait returns at least every `unconfirmedMaxWaitSeconds`, which bounds how long such a VM
 * can linger.
 *
 * The loop also tells whether vSphere can be reached: while its calls fail to connect the cache is not served.
 */
import type { Logger } from 'pino'
import {
  isFault,
  methods,
  moRefKey,
  VimUnreachable,
  type CallOptions,
  type MethodSpec,
  type MoRef,
  type ObjectUpdate,
  type RoundTripper,
  type UpdateSet,
  type VimClient,
} from '../vim/index.js'
import { viewFilterSpec } from '../vim/view.js'
import { runUpdateLoop } from '../vim/wait-for-updates.js'
import { containerFrom, type Container, type ReadMigration } from './container.js'
import { ContainerError } from './errors.js'
import { RefIndex } from './ref-index.js'
import { linkTargets } from './rename/plan.js'
import { NameRegistry } from './name-registry.js'
import { showsWrite, UnconfirmedWrites } from './unconfirmed-writes.js'
import { applyChange, vmPaths, vmStateFrom, type VmState } from './vm-state.js'

export interface StoreOptions {
  readonly client: VimClient
  /** the folder whose VMs (recursively) are containers */
  readonly vmFolder: MoRef<'Folder'>
  readonly migrate: ReadMigration
  readonly log: Logger
  /** server-side wait per WaitForUpdatesEx call; default `defaultMaxWaitSeconds` */
  readonly maxWaitSeconds?: number
}

/** how many gone VMs the store remembers, to ignore late reports of them */
const buriedKept = 10_000

/** An idle loop still hears from vSphere this often: one cheap call, and the bound on an unreported VM's life. */
export const defaultMaxWaitSeconds = 10

/**
 * The wait while a change of ours is not reported yet. vSphere reports a VM's latest state, not every step to it:
 * when someone else changed the VM right after our write, no report shows the write, and only the answer to a wait
 * issued after it (`#confirmUnreported`) tells to read the VM. That answer comes within this bound.
 */
export const unconfirmedMaxWaitSeconds = 1

/** What the update loop reported of one VM while a read of it was out. */
interface Hearing {
  /** reads of the VM out now */
  reads: number
  readonly versions: Set<string>
  /** the loop reported that the VM left */
  left: boolean
}

export type StoreChange =
  | { kind: 'put'; container: Container; previous?: Container }
  | { kind: 'delete'; container: Container }

export class ContainerStore {
  readonly index = new RefIndex<Container>([], linkTargets)
  /** raw properties per VM, as the update loop reported them */
  readonly #raw = new Map<string, Record<string, unknown>>()
  /** VM → container ID, to find what a `leave` removes */
  readonly #idByVm = new Map<string, string>()
  /** names and IDs taken, by containers or by operations in flight */
  readonly names = new NameRegistry(this.index)
  /** VM → our own write the loop has not reported yet */
  readonly #expected = new UnconfirmedWrites()
  /** VM → how many reports of it the loop has delivered */
  readonly #reports = new Map<string, number>()
  /** VMs known gone, the oldest forgotten first (`#bury`) */
  readonly #gone = new Set<string>()
  readonly #listeners = new Set<(change: StoreChange) => void>()
  readonly #abort = new AbortController()
  #loop: Promise<void> | undefined
  #lastContact = 0
  #reachable = true
  #loaded = false
  readonly #reportListeners = new Set<(vm: MoRef, props: Readonly<Record<string, unknown>>) => void>()
  /** how many reads `fresh` has sent, and VM → the last of them whose answer was applied */
  #readsSent = 0
  readonly #readApplied = new Map<string, number>()
  /** VM → what the loop reported of it while reads of it were out */
  readonly #hearing = new Map<string, Hearing>()

  constructor(private readonly options: StoreOptions) {}

  /** Starts the update loop; resolves once the first full listing is in. */
  start(): Promise<void> {
    const { client, vmFolder, log } = this.options
    const viewManager = client.serviceContent.viewManager
    if (!viewManager) throw new TypeError('vSphere has no ViewManager')
    let first: (() => void) | undefined
    const ready = new Promise<void>((resolve) => (first = resolve))
    let view: MoRef<'ContainerView'> | undefined
    let collector: MoRef<'PropertyCollector'> | undefined
    let resync = false
    const rt = this.#watched(client.rt)
    const setup = async (): Promise<MoRef<'PropertyCollector'>> => {
      const op = { opId: 'store-watch' }
      view = await methods.createContainerView(rt, viewManager, vmFolder, ['VirtualMachine'], true, op)
      collector = await methods.createPropertyCollector(rt, client.propertyCollector, op)
      await methods.createFilter(
        rt,
        collector,
        viewFilterSpec(view, 'ContainerView', 'VirtualMachine', vmPaths),
        false,
        op,
      )
      // a fresh collector reports everything again; what it leaves out is gone
      this.#raw.clear()
      resync = true
      return collector
    }
    this.#loop = runUpdateLoop(rt, {
      setup,
      onUpdate: (updates) => {
        this.#apply(updates)
        if (resync) this.#dropUnlisted()
        resync = false
        this.#loaded = true
        first?.()
        first = undefined
      },
      maxWaitSeconds: () => {
        const idle = this.options.maxWaitSeconds ?? defaultMaxWaitSeconds
        return this.#expected.size > 0 ? Math.min(idle, unconfirmedMaxWaitSeconds) : idle
      },
      signal: this.#abort.signal,
      log,
    }).finally(async () => {
      // the collector's filters go with it; the view must be destroyed on its own
      const op = { opId: 'store-close' }
      if (collector) await methods.destroyPropertyCollector(client.rt, collector, op).catch(() => undefined)
      if (view) await methods.destroyView(client.rt, view, op).catch(() => undefined)
    })
    this.#loop.catch((err: unknown) => log.error({ err }, 'container store update loop ended'))
    return ready
  }

  async close(): Promise<void> {
    this.#abort.abort()
    this.#expected.clear()
    await this.#loop?.catch(() => undefined)
  }

  /** The first full listing is in: changes from now on are news (events.ts). */
  get loaded(): boolean {
    return this.#loaded
  }

  /**
   * Every report of the update loop, of any VM in the folder (containers or not), with the VM's properties as
   * reported so far. A write whose report has come in tells that every change before it has come in too.
   */
  onReport(listener: (vm: MoRef, props: Readonly<Record<string, unknown>>) => void): () => void {
    this.#reportListeners.add(listener)
    return () => this.#reportListeners.delete(listener)
  }

  /** What the update loop last reported of a VM in the folder (container or not), or undefined. */
  heardOf(vm: MoRef): Readonly<Record<string, unknown>> | undefined {
    return this.#raw.get(moRefKey(vm))
  }

  /** Milliseconds since vSphere last answered the update loop. */
  get sinceContact(): number {
    return Date.now() - this.#lastContact
  }

  /** False while the update loop cannot connect to vSphere: the cache may have missed changes. */
  get reachable(): boolean {
    return this.#reachable
  }

  /**
   * The loop's round tripper: notes whether vSphere answered (a fault is an answer, a failed connection is not),
   * and after each wait checks the writes that finished before it was issued.
   */
  #watched(rt: RoundTripper): RoundTripper {
    return {
      roundTrip: async <A, R>(method: MethodSpec<A, R>, args: A, options?: CallOptions): Promise<R> => {
        const writesBefore = this.#expected.finished
        try {
          const result = await rt.roundTrip(method, args, options)
          this.#contact()
          // after the loop has applied this answer (it does so as soon as this call returns)
          if (method.name === 'WaitForUpdatesEx') setImmediate(() => this.#confirmUnreported(writesBefore))
          return result
        } catch (err) {
          if (err instanceof VimUnreachable && method.longPoll && err.reason === 'timeout') await this.#probe(rt)
          else if (err instanceof VimUnreachable) this.#reachable = false
          else if (!this.#abort.signal.aborted) this.#contact()
          throw err
        }
      },
    }
  }

  /**
   * A wait that timed out says only that vSphere was slow to build its answer (vcsim recomputes every watched VM
   * for each change; a busy vCenter queues): whether it can be reached is asked with one cheap call.
   */
  async #probe(rt: RoundTripper): Promise<void> {
    try {
      await methods.currentTime(rt, { opId: 'store-probe' })
      this.#contact()
    } catch (err) {
      if (err instanceof VimUnreachable) this.#reachable = false
    }
  }

  #contact(): void {
    this.#lastContact = Date.now()
    this.#reachable = true
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  resolve(ref: string): Container {
    return this.index.resolve(ref)
  }

  get(id: string): Container {
    const found = this.index.get(id)
    if (!found) throw new ContainerError('not_found', `no such container: ${id}`)
    return found
  }

  list(): Container[] {
    return [...this.index.values()]
  }


  /**
   * Reads one VM again (one round trip) and updates the index; undefined when it is gone or not a container. The
   * read comes after any write of ours that has finished, so it settles what the loop has not confirmed yet.
   *
   * The loop may still be behind the read: a WaitForUpdatesEx answer collected before the read can arrive after
   * it. So the state read is held like one of our writes, `exact` to its changeVersion, until the loop reports
   * that version; a report of the loop that predates it is not shown. A loop that reported the version while the
   * read was out is past it already, and keeps what it holds.
   */
  async fresh(vm: MoRef<'VirtualMachine'>, opId: string): Promise<Container | undefined> {
    const { client } = this.options
    const key = moRefKey(vm)
    const writesBefore = this.#expected.finished
    const sent = ++this.#readsSent
    const heard = this.#hear(key)
    let state: VmState | undefined
    try {
      const [found] = await client.retrieve([vm], vmPaths, { opId })
      state = found ? vmStateFrom(vm, found.props) : undefined
    } catch (err) {
      if (!isFault(err, 'ManagedObjectNotFound')) throw err
      this.#bury(key)
    } finally {
      this.#unhear(key, heard)
    }
    const answer = (): Container | undefined => state && containerFrom(state, this.options.migrate)
    // a write of ours that finished during the read is newer than what was read: the index keeps it
    const newer = this.#expected.get(key)
    if (newer && newer.seq > writesBefore) return answer()
    // a read sent after this one was applied already, and a VM known destroyed stays gone
    if ((this.#readApplied.get(key) ?? 0) > sent) return answer()
    if (!state || this.#gone.has(key)) {
      this.#expected.settle(key)
      this.#forgetVm(key)
      return undefined
    }
    // the loop reported the VM leaving, or a newer version than the read: what it holds is at least as new
    const reported = this.#reported(vm)
    if (heard.left || (heard.versions.has(state.changeVersion) && reported?.changeVersion !== state.changeVersion))
      return answer()
    this.#readApplied.set(key, sent)
    const expectation = this.#expected.next({ vm: state.moref, state, exact: true })
    if (showsWrite(reported, expectation)) this.#expected.settle(key)
    else this.#expected.set(key, expectation)
    return this.#put(state)
  }

  /**
   * How many reports of `vm` the update loop has delivered: taken before a write is sent, it tells `committed`
   * which reports may show the write. (vm undefined: a VM not made yet, of which every report is newer.)
   */
  reportsOf(vm: MoRef<'VirtualMachine'> | undefined): number {
    return vm ? (this.#reports.get(moRefKey(vm)) ?? 0) : 0
  }

  /**
   * Records the state our own commit produced; stale until vSphere reports the new changeVersion. `since`: the
   * VM's `reportsOf` taken before the write was sent; an earlier report may look like the write (an undo puts
   * back what an earlier report showed) but predates it. `exact`: the state's changeVersion is the one the write
   * produced (a create's, read after it), so a report with another one is not the write (e.g. a VM reported
   * while it was still being made). `created`: the VM is new; any other write is to a VM the store holds, and
   * one that finishes after the VM was removed (a link re-pointed as its container went) brings nothing back.
   * `removed`: the ExtraConfig keys the write took away.
   */
  committed(
    state: VmState,
    {
      since,
      exact = false,
      created = false,
      removed = [],
    }: { since: number; exact?: boolean; created?: boolean; removed?: readonly string[] },
  ): Container | undefined {
    const key = moRefKey(state.moref)
    if (!created && !this.#idByVm.has(key)) return undefined
    const raw = this.#raw.get(key)
    const reported = raw && (this.#reports.get(key) ?? 0) > since ? vmStateFrom(state.moref, raw) : undefined
    const expectation = this.#expected.next({ vm: state.moref, state, exact, removed })
    // the loop's answer came in while our task was being read: it is the real thing, changeVersion included
    if (reported && showsWrite(reported, expectation)) {
      this.#expected.settle(key)
      return this.#put(reported)
    }
    this.#expected.set(key, expectation)
    return this.#put({ ...state, stale: true })
  }

  /**
   * Forgets a VM our own operation destroyed. Until the loop says it left, or a wait issued after this no longer
   * lists it, a report of it is an older view, even when the loop had not listed it yet.
   */
  removed(vm: MoRef<'VirtualMachine'>): void {
    const key = moRefKey(vm)
    this.#expected.set(key, this.#expected.next({ vm, state: 'gone' }))
    this.#bury(key)
    this.#forgetVm(key)
  }

  /**
   * Remembers a VM known to be gone. vSphere never gives its moref to another VM, so any later report of it but
   * its `leave` is a view from before it went: a loop that lags under load may still deliver one after the
   * expectation of our removal was settled, and it must not bring the container back.
   */
  #bury(key: string): void {
    this.#raw.delete(key)
    this.#readApplied.delete(key)
    this.#gone.add(key)
    if (this.#gone.size > buriedKept) this.#gone.delete(this.#gone.values().next().value as string)
  }

  /** Starts noting what the loop reports of VM `key`, until `#unhear`. */
  #hear(key: string): Hearing {
    let hearing = this.#hearing.get(key)
    if (!hearing) this.#hearing.set(key, (hearing = { reads: 0, versions: new Set(), left: false }))
    hearing.reads++
    return hearing
  }

  #unhear(key: string, hearing: Hearing): void {
    if (--hearing.reads === 0 && this.#hearing.get(key) === hearing) this.#hearing.delete(key)
  }

  /** The VM as the loop last reported it; undefined when it did not, or not as a container. */
  #reported(vm: MoRef<'VirtualMachine'>): VmState | undefined {
    const raw = this.#raw.get(moRefKey(vm))
    return raw && vmStateFrom(vm, raw)
  }

  /** A wait issued after these writes has been answered without reporting them: read those VMs once. */
  #confirmUnreported(writes: number): void {
    if (this.#abort.signal.aborted) return
    for (const [key, expectation] of this.#expected.entries()) {
      if (expectation.seq > writes || expectation.reading) continue
      // a VM we destroyed that the loop no longer lists is settled without asking
      if (expectation.state === 'gone' && !this.#raw.has(key)) {
        this.#expected.settle(key)
        continue
      }
      expectation.reading = true
      const { vm } = expectation
      this.fresh(vm, 'store-confirm')
        .catch((err: unknown) => this.options.log.warn({ vm: vm.value, err }, 'cannot read a VM to confirm our change'))
        .finally(() => (expectation.reading = false))
    }
  }

  #apply(updates: UpdateSet): void {
    for (const filter of updates.filterSet) for (const update of filter.objectSet) this.#applyObject(update)
  }

  /** After a full listing: forget VMs it did not mention (deleted while the loop was down), but not our new ones. */
  #dropUnlisted(): void {
    for (const key of [...this.#idByVm.keys()]) {
      if (!this.#raw.has(key) && this.#expected.get(key) === undefined) this.#forgetVm(key)
    }
  }

  #applyObject(update: ObjectUpdate): void {
    const key = moRefKey(update.obj)
    if (update.kind !== 'leave' && this.#gone.has(key)) return
    this.#reports.set(key, (this.#reports.get(key) ?? 0) + 1)
    let state: VmState | undefined
    const hearing = this.#hearing.get(key)
    if (update.kind === 'leave') {
      this.#raw.delete(key)
      this.#reports.delete(key)
      if (hearing) hearing.left = true
    } else {
      const props = update.kind === 'enter' ? {} : (this.#raw.get(key) ?? {})
      for (const change of update.changeSet) applyChange(props, change)
      this.#raw.set(key, props)
      for (const listener of this.#reportListeners) listener(update.obj, props)
      state = vmStateFrom(update.obj, props)
      hearing?.versions.add(String(props['config.changeVersion'] ?? ''))
    }
    const expectation = this.#expected.get(key)
    if (expectation) {
      // a view collected before our write (or a change after it, which the confirming read will show)
      if (!showsWrite(state, expectation)) return
      this.#expected.settle(key)
    }
    if (state) this.#put(state)
    else this.#forgetVm(key)
  }

  /** Indexes the container a VM holds; a VM whose data cannot be read is left out (and logged), not fatal. */
  #put(state: VmState): Container | undefined {
    let container: Container
    try {
      const held = this.#idByVm.get(moRefKey(state.moref))
      container = containerFrom(state, this.options.migrate, held === undefined ? undefined : this.index.get(held))
    } catch (err) {
      this.options.log.warn({ vm: state.moref.value, err }, 'cannot read container VM; left out')
      this.#forgetVm(moRefKey(state.moref))
      return undefined
    }
    const key = moRefKey(state.moref)
    const previousId = this.#idByVm.get(key)
    if (previousId !== undefined && previousId !== container.id) this.#delete(previousId, key)
    const previous = this.index.get(container.id)
    this.index.put(container)
    this.#idByVm.set(key, container.id)
    this.#emit({ kind: 'put', container, ...(previous ? { previous } : {}) })
    return container
  }

  #forgetVm(key: string): void {
    this.#readApplied.delete(key)
    const id = this.#idByVm.get(key)
    if (id === undefined) return
    this.#idByVm.delete(key)
    this.#delete(id, key)
  }

  /** Drops container `id` from the index if VM `key` holds it: another VM may carry that ID by now. */
  #delete(id: string, key: string): void {
    const held = this.index.get(id)
    if (!held || moRefKey(held.vm.moref) !== key) return
    this.index.delete(id)
    this.#emit({ kind: 'delete', container: held })
  }

  #emit(change: StoreChange): void {
    for (const listener of this.#listeners) listener(change)
  }
}
