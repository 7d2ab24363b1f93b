/**
 * The container store: an in-memory index of every container VM in the configured VM folder, by ID, ID prefix and
 * name. vSphere stays the only state; the store is a cache kept true by one WaitForUpdatesEx loop over a
 * ContainerView of the folder, so VMs renamed, powered or deleted outside portlayer show up within the simulator's
 * poll interval (250 ms) or vCenter's push. The loop's first answer is the full listing, so start-up costs one view,
 * one collector, one filter and one wait.
 *
 * Writes go through handles (commit.ts); after our own commit the entry is updated at once (the API shows the
 * new state immediately) and marked stale, because its new changeVersion is only known once vSphere reports it.
 */
import type { Logger } from 'pino'
import {
  methods,
  moRefKey,
  type MoRef,
  type ObjectUpdate,
  type UpdateSet,
  type VimClient,
} from '../vim/index.js'
import { viewFilterSpec } from '../vim/view.js'
import { runUpdateLoop } from '../vim/wait-for-updates.js'
import { containerFrom, type Container, type ReadMigration } from './container.js'
import { ContainerError } from './errors.js'
import { RefIndex } from './ref-index.js'
import { applyChange, vmPaths, vmStateFrom, type VmState } from './vm-state.js'

export interface StoreOptions {
  readonly client: VimClient
  /** the folder whose VMs (recursively) are containers */
  readonly vmFolder: MoRef<'Folder'>
  readonly migrate: ReadMigration
  readonly log: Logger
  /** server-side wait per WaitForUpdatesEx call */
  readonly maxWaitSeconds?: number
}

export type StoreChange =
  | { kind: 'put'; container: Container; previous?: Container }
  | { kind: 'delete'; container: Container }

export class ContainerStore {
  readonly index = new RefIndex<Container>()
  /** raw properties per VM, as the update loop reported them */
  readonly #raw = new Map<string, Record<string, unknown>>()
  /** VM → container ID, to find what a `leave` removes */
  readonly #idByVm = new Map<string, string>()
  /** names promised to an operation in flight (create, rename) and not yet in vSphere */
  readonly #reserved = new Map<string, string>()
  readonly #listeners = new Set<(change: StoreChange) => void>()
  readonly #abort = new AbortController()
  #loop: Promise<void> | undefined
  #lastContact = 0

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
    const setup = async (): Promise<MoRef<'PropertyCollector'>> => {
      const op = { opId: 'store-watch' }
      view = await methods.createContainerView(client.rt, viewManager, vmFolder, ['VirtualMachine'], true, op)
      collector = await methods.createPropertyCollector(client.rt, client.propertyCollector, op)
      await methods.createFilter(
        client.rt,
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
    this.#loop = runUpdateLoop(client.rt, {
      setup,
      onUpdate: (updates) => {
        this.#apply(updates)
        if (resync) this.#dropUnlisted()
        resync = false
        first?.()
        first = undefined
      },
      maxWaitSeconds: this.options.maxWaitSeconds ?? 60,
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
    await this.#loop?.catch(() => undefined)
  }

  /** Milliseconds since vSphere last answered the update loop. */
  get sinceContact(): number {
    return Date.now() - this.#lastContact
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
   * Promises `name` to `id` until the returned release is called; `name_conflict` when a container has it or an
   * operation in flight holds it.
   */
  reserveName(name: string, id: string): () => void {
    const holder = this.index.named(name)
    if (holder && holder.id !== id)
      throw new ContainerError(
        'name_conflict',
        `the name ${name} is already in use by container ${holder.id}: remove or rename that container first`,
      )
    const reserved = this.#reserved.get(name)
    if (reserved !== undefined && reserved !== id)
      throw new ContainerError('name_conflict', `the name ${name} is being given to container ${reserved}`)
    this.#reserved.set(name, id)
    return () => {
      if (this.#reserved.get(name) === id) this.#reserved.delete(name)
    }
  }

  isNameTaken(name: string): boolean {
    return this.index.named(name) !== undefined || this.#reserved.has(name)
  }

  /** Reads one VM again (one round trip) and updates the index; undefined when it is gone or not a container. */
  async fresh(vm: MoRef<'VirtualMachine'>, opId: string): Promise<Container | undefined> {
    const { client } = this.options
    const [found] = await client.retrieve([vm], vmPaths, { opId })
    const state = found ? vmStateFrom(vm, found.props) : undefined
    if (state) return this.#put(state)
    this.#forgetVm(moRefKey(vm))
    return undefined
  }

  /** Records the state our own commit produced; stale until vSphere reports the new changeVersion. */
  committed(state: VmState): Container | undefined {
    return this.#put({ ...state, stale: true })
  }

  /** Forgets a VM our own operation destroyed. */
  removed(vm: MoRef<'VirtualMachine'>): void {
    this.#forgetVm(moRefKey(vm))
  }

  #apply(updates: UpdateSet): void {
    this.#lastContact = Date.now()
    for (const filter of updates.filterSet) for (const update of filter.objectSet) this.#applyObject(update)
  }

  /** After a full listing: forget VMs it did not mention (deleted while the loop was down). */
  #dropUnlisted(): void {
    for (const key of [...this.#idByVm.keys()]) if (!this.#raw.has(key)) this.#forgetVm(key)
  }

  #applyObject(update: ObjectUpdate): void {
    const key = moRefKey(update.obj)
    if (update.kind === 'leave') {
      this.#raw.delete(key)
      this.#forgetVm(key)
      return
    }
    const props = update.kind === 'enter' ? {} : (this.#raw.get(key) ?? {})
    for (const change of update.changeSet) applyChange(props, change)
    this.#raw.set(key, props)
    const state = vmStateFrom(update.obj, props)
    if (state) this.#put(state)
    else this.#forgetVm(key)
  }

  /** Indexes the container a VM holds; a VM whose data cannot be read is left out (and logged), not fatal. */
  #put(state: VmState): Container | undefined {
    let container: Container
    try {
      container = containerFrom(state, this.options.migrate)
    } catch (err) {
      this.options.log.warn({ vm: state.moref.value, err }, 'cannot read container VM; left out')
      this.#forgetVm(moRefKey(state.moref))
      return undefined
    }
    const key = moRefKey(state.moref)
    const previousId = this.#idByVm.get(key)
    if (previousId !== undefined && previousId !== container.id) this.#delete(previousId)
    const previous = this.index.get(container.id)
    this.index.put(container)
    this.#idByVm.set(key, container.id)
    this.#emit({ kind: 'put', container, ...(previous ? { previous } : {}) })
    return container
  }

  #forgetVm(key: string): void {
    const id = this.#idByVm.get(key)
    if (id === undefined) return
    this.#idByVm.delete(key)
    this.#delete(id)
  }

  #delete(id: string): void {
    const container = this.index.delete(id)
    if (container) this.#emit({ kind: 'delete', container })
  }

  #emit(change: StoreChange): void {
    for (const listener of this.#listeners) listener(change)
  }
}
