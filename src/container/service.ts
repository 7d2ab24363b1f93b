/**
 * The container service over vSphere: the operations the REST API offers, each a short flow over the store (reads),
 * handles (commit.ts) and the vim25 client. Rename is its own executor (rename/execute.ts).
 */
import type { Logger } from 'pino'
import { decodeContainer, encodeContainer } from '../extraconfig/index.js'
import { networkView } from '../network/resolution.js'
import { setTimeout as sleep } from 'node:timers/promises'
import { isFault, type VimClient } from '../vim/index.js'
import { attachContainer, detachContainer } from './attach.js'
import { commit } from './commit.js'
import { connectContainer, disconnectContainer } from './connect.js'
import { createContainer } from './create.js'
import { containerView, splitVmPath, type Container } from './container.js'
import { ContainerError } from './errors.js'
import { ContainerEvents } from './events.js'
import { ImageStore } from './images.js'
import { containerLogs } from './logs.js'
import { NetworkDefinitions } from './networks.js'
import type { Target } from './placement.js'
import { RenameExecutor } from './rename/execute.js'
import type { ContainerStore } from './store.js'
import type {
  AttachRequest,
  ConnectRequest,
  ContainerEvent,
  ContainerLogs,
  ContainerService,
  ContainerView,
  CreateRequest,
  DockerService,
  ImageRecord,
  LogsRequest,
  NetworkCreateRequest,
  NetworkDefinition,
  NetworkInfo,
  OpContext,
  RemoveOptions,
  StopOptions,
} from './types.js'
import { isVmGone, reaching, resendIfRefused, unavailableOr } from './vsphere-errors.js'

/** docker's default seconds for a clean stop */
export const defaultStopTimeout = 10

export interface ServiceDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly target: Target
  /** the data version new containers are stamped with */
  readonly dataVersion: number
  readonly log: Logger
}

export class VsphereContainerService implements ContainerService, DockerService {
  readonly #rename: RenameExecutor
  readonly #events: ContainerEvents
  readonly #networks: NetworkDefinitions
  readonly #images: ImageStore

  constructor(private readonly deps: ServiceDeps) {
    this.#rename = new RenameExecutor(deps)
    this.#events = new ContainerEvents(deps.store)
    this.#networks = new NetworkDefinitions(deps, deps.store)
    this.#images = new ImageStore(deps, deps.store)
  }

  create(req: CreateRequest, op: OpContext): Promise<ContainerView> {
    return createContainer(this.deps, req, op)
  }

  async list(all: boolean, _op: OpContext): Promise<ContainerView[]> {
    this.#cacheServable()
    return this.deps.store
      .list()
      .filter((c) => all || c.state === 'running')
      .sort((a, b) => (a.createTime < b.createTime ? 1 : a.createTime > b.createTime ? -1 : 0))
      .map(containerView)
  }

  async inspect(ref: string, _op: OpContext): Promise<ContainerView> {
    this.#cacheServable()
    return containerView(this.deps.store.resolve(ref))
  }

  start(ref: string, op: OpContext): Promise<void> {
    return reaching(async () => {
      let c = this.deps.store.resolve(ref)
      if (c.state === 'running') throw new ContainerError('invalid_state', `container ${c.name} is already running`)
      if (c.state === 'created') c = await commit(this.deps, c.id, markStarted, op.opId)
      await this.#power(c, 'on', op)
    })
  }

  /**
   * A clean stop first, as docker does: the guest is asked to shut down and given `timeout` seconds; then, or at
   * once when the guest cannot be asked (no tools, as on a VIC container VM whose tether does not speak to them),
   * the VM is powered off. A guest that finished just as the power-off was sent has stopped all the same.
   */
  stop(ref: string, options: StopOptions, op: OpContext): Promise<void> {
    return reaching(async () => {
      const c = this.deps.store.resolve(ref)
      if (c.state !== 'running') throw new ContainerError('invalid_state', `container ${c.name} is not running`)
      const timeout = options.timeout ?? defaultStopTimeout
      const since = this.deps.store.reportsOf(c.vm.moref)
      if (!(timeout > 0 && (await this.#shutdownGuest(c, timeout * 1000, op)))) {
        await this.#power(c, 'off', op).catch((err: unknown) => {
          if (!(timeout > 0 && ContainerError.is(err, 'invalid_state'))) throw err
          this.deps.store.committed({ ...c.vm, powerState: 'poweredOff' }, { since })
        })
      }
    })
  }

  /**
   * True when the guest shut down within `ms`; false when it could not be asked or took too long. The store's
   * update loop usually tells first; a read each second covers a report the loop has not delivered yet.
   */
  async #shutdownGuest(c: Container, ms: number, op: OpContext): Promise<boolean> {
    const { client, store, log } = this.deps
    let reported = false
    const since = store.reportsOf(c.vm.moref)
    const unsubscribe = store.onChange((change) => {
      if (change.container.id !== c.id) return
      if (change.kind === 'delete' || change.container.vm.powerState !== 'poweredOn') reported = true
    })
    try {
      try {
        await resendIfRefused(() => client.shutdownGuest(c.vm.moref, { opId: op.opId }))
      } catch (err) {
        if (unavailableOr(err) !== err) throw err
        log.info({ opId: op.opId, id: c.id, err }, 'guest shutdown not possible; powering off')
        return false
      }
      const deadline = Date.now() + ms
      while (!reported && Date.now() < deadline) {
        await sleep(Math.min(1_000, deadline - Date.now()))
        if (reported) break
        const now = await store.fresh(c.vm.moref, op.opId)
        if (!now || now.vm.powerState !== 'poweredOn') reported = true
      }
    } finally {
      unsubscribe()
    }
    if (!reported) {
      log.info({ opId: op.opId, id: c.id, seconds: ms / 1000 }, 'guest did not shut down in time; powering off')
      return false
    }
    store.committed({ ...c.vm, powerState: 'poweredOff' }, { since })
    return true
  }

  remove(ref: string, options: RemoveOptions, op: OpContext): Promise<void> {
    return reaching(() => this.#remove(ref, options, op))
  }

  async #remove(ref: string, options: RemoveOptions, op: OpContext): Promise<void> {
    const { client, store, target } = this.deps
    const c = store.resolve(ref)
    if (c.state === 'running') {
      if (!options.force)
        throw new ContainerError('container_running', `container ${c.name} is running: stop it first or remove with force`)
      await this.#power(c, 'off', op)
    }
    try {
      await resendIfRefused(() => client.destroy(c.vm.moref, { opId: op.opId }))
    } catch (err) {
      // powered on elsewhere since the store last heard of it
      if (isFault(err, 'InvalidPowerState')) {
        const message = `container ${c.name} is running: stop it first or remove with force`
        throw new ContainerError('container_running', message, { cause: err })
      }
      throw this.#goneOr(c, err)
    }
    store.removed(c.vm.moref)
    // vSphere may leave files it did not create (the serial-port logs) behind in the folder: they go after the
    // answer, since the container is gone already
    const { datastore, folder } = splitVmPath(c.vm.vmPathName)
    if (folder !== '')
      void client.deleteDatastoreFile(`[${datastore}] ${folder}`, target.datacenter, { opId: op.opId }).catch((err: unknown) => {
        if (!isFault(err, 'FileNotFound')) this.deps.log.warn({ opId: op.opId, err }, 'container folder left behind')
      })
    this.deps.log.info({ opId: op.opId, id: c.id, name: c.name }, 'container removed')
  }

  rename(ref: string, newName: string, op: OpContext): Promise<void> {
    return reaching(() => this.#rename.run(ref, newName, op))
  }

  /** Settles the renames a dead writer left half done; a writer runs it before it serves. */
  recoverRenames(op: OpContext): Promise<number> {
    return this.#rename.recover(op)
  }

  async network(name: string, _op: OpContext): Promise<NetworkInfo> {
    this.#cacheServable()
    const view = networkView(name, this.deps.store.list())
    if (!view) throw new ContainerError('not_found', `no container is on network ${name}`)
    return view
  }

  logs(ref: string, request: LogsRequest, op: OpContext): Promise<ContainerLogs> {
    return reaching(() => containerLogs(this.deps, ref, request, op))
  }

  attach(ref: string, request: AttachRequest, op: OpContext): Promise<void> {
    return reaching(() => attachContainer(this.deps, ref, request.address, op))
  }

  detach(ref: string, op: OpContext): Promise<void> {
    return reaching(() => detachContainer(this.deps, ref, op))
  }

  // ---- what the Docker API front needs beyond the REST contract (connect.ts, networks.ts, images.ts)

  connect(ref: string, network: string, request: ConnectRequest, op: OpContext): Promise<void> {
    return reaching(async () => {
      const net = await this.#networks.find(network, op.opId)
      await connectContainer(this.deps, ref, net.name, request, op)
    })
  }

  disconnect(ref: string, network: string, op: OpContext): Promise<void> {
    return reaching(async () => {
      const net = await this.#networks.find(network, op.opId)
      await disconnectContainer(this.deps, ref, net.name, op)
    })
  }

  networks(op: OpContext): Promise<NetworkDefinition[]> {
    return reaching(() => this.#networks.list(op.opId))
  }

  createNetwork(request: NetworkCreateRequest, op: OpContext): Promise<NetworkDefinition> {
    return reaching(() => this.#networks.create(request, op.opId))
  }

  removeNetwork(ref: string, op: OpContext): Promise<void> {
    return reaching(() => this.#networks.remove(ref, op.opId))
  }

  images(op: OpContext): Promise<ImageRecord[]> {
    return reaching(() => this.#images.list(op.opId))
  }

  image(ref: string, op: OpContext): Promise<ImageRecord> {
    return reaching(() => this.#images.find(ref, op.opId))
  }

  loadImages(archive: Buffer, op: OpContext): Promise<ImageRecord[]> {
    return reaching(() => this.#images.load(archive, op.opId))
  }

  tagImage(ref: string, tag: string, op: OpContext): Promise<void> {
    return reaching(() => this.#images.tag(ref, tag, op.opId))
  }

  removeImage(ref: string, op: OpContext): Promise<{ untagged: string[]; deleted: string[] }> {
    return reaching(() => this.#images.remove(ref, op.opId))
  }

  onEvent(listener: (event: ContainerEvent) => void): () => void {
    return this.#events.on(listener)
  }

  async ready(): Promise<boolean> {
    try {
      await this.deps.client.ping({ opId: 'readyz', timeoutMs: 5_000 })
      return true
    } catch {
      return false
    }
  }

  async #power(c: Container, to: 'on' | 'off', op: OpContext): Promise<void> {
    const { client, store } = this.deps
    const since = store.reportsOf(c.vm.moref)
    try {
      await resendIfRefused(() =>
        to === 'on' ? client.powerOn(c.vm.moref, { opId: op.opId }) : client.powerOff(c.vm.moref, { opId: op.opId }),
      )
    } catch (err) {
      if (isFault(err, 'InvalidPowerState'))
        throw new ContainerError('invalid_state', `container ${c.name} is already ${to === 'on' ? 'running' : 'stopped'}`)
      throw this.#goneOr(c, err)
    }
    store.committed({ ...c.vm, powerState: to === 'on' ? 'poweredOn' : 'poweredOff' }, { since })
  }

  /** The VM was deleted elsewhere before the store heard of it: forget it and say so. */
  #goneOr(c: Container, err: unknown): unknown {
    if (!isVmGone(err, c.vm.moref)) return err
    this.deps.store.removed(c.vm.moref)
    return new ContainerError('not_found', `container ${c.name} no longer exists`, { cause: err })
  }

  /** Reads come from the store's cache, which cannot be trusted while its update loop cannot reach vSphere. */
  #cacheServable(): void {
    if (!this.deps.store.reachable) {
      const message = 'vSphere cannot be reached, so what is known of the containers may be out of date; retry later'
      throw new ContainerError('vsphere_unavailable', message)
    }
  }
}

/** VIC's tether records a started session; portlayer stands in for it so a stopped container reads `stopped`. */
function markStarted(c: Container): { extraConfig: Map<string, string> } | undefined {
  const config = decodeContainer(c.vm.extraConfig)
  const session = config.sessions[config.id]
  if (!session || session.started !== '') return undefined
  session.started = 'true'
  return { extraConfig: new Map(Object.entries(encodeContainer(config))) }
}

