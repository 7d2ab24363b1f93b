/**
 * The container service over vSphere: the operations the REST API offers, each a short flow over the store (reads),
 * handles (commit.ts) and the vim25 client. Rename is its own executor (rename/execute.ts).
 */
import type { Logger } from 'pino'
import { decodeContainer, encodeContainer } from '../extraconfig/index.js'
import { networkView } from '../network/resolution.js'
import { isFault, VimClientClosed, VimUnreachable, type VimClient } from '../vim/index.js'
import { attachContainer, detachContainer } from './attach.js'
import { commit } from './commit.js'
import { containerView, splitVmPath, type Container } from './container.js'
import { ContainerError } from './errors.js'
import { ContainerEvents } from './events.js'
import { containerLogs } from './logs.js'
import { createdVmPathName, generateName, isContainerId, newContainerId } from './naming.js'
import type { Target } from './placement.js'
import { RenameExecutor } from './rename/execute.js'
import { validateNewName } from './rename/plan.js'
import { createSpec } from './spec.js'
import type { ContainerStore } from './store.js'
import type {
  AttachRequest,
  ContainerEvent,
  ContainerLogs,
  ContainerService,
  ContainerView,
  CreateRequest,
  LogsRequest,
  NetworkInfo,
  OpContext,
  RemoveOptions,
  StopOptions,
} from './types.js'
import { vmStateFrom } from './vm-state.js'

export interface ServiceDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly target: Target
  /** the data version new containers are stamped with */
  readonly dataVersion: number
  readonly log: Logger
}

export class VsphereContainerService implements ContainerService {
  readonly events = new ContainerEvents()
  readonly #rename: RenameExecutor

  constructor(private readonly deps: ServiceDeps) {
    this.#rename = new RenameExecutor(deps, this.events)
  }

  async create(req: CreateRequest, op: OpContext): Promise<ContainerView> {
    const { client, store, target } = this.deps
    const id = req.id ?? newContainerId()
    if (!isContainerId(id)) throw new ContainerError('invalid_request', 'id must be 64 lowercase hexadecimal characters')
    const name = req.name ?? generateName((n) => store.isNameTaken(n))
    if (req.name !== undefined) {
      try {
        validateNewName(req.name)
      } catch (err) {
        if (ContainerError.is(err, 'name_empty')) throw new ContainerError('invalid_name', 'the name must not be empty')
        throw err
      }
    }
    const releaseId = store.reserveId(id)
    let releaseName: (() => void) | undefined
    try {
      releaseName = store.reserveName(name, id)
      const spec = createSpec(
        {
          id,
          name,
          createTime: BigInt(Date.now()) * 1_000_000n,
          dataVersion: this.deps.dataVersion,
          repo: req.image ?? '',
          ...(req.hostname !== undefined ? { hostname: req.hostname } : {}),
          networks: Object.fromEntries(
            Object.entries(req.networks ?? {}).map(([net, endpoint]) => [
              net,
              // docker keeps links on the endpoint too (VIC appended HostConfig.Links to each network's aliases)
              { aliases: [...(endpoint.aliases ?? []).map((a) => `:${a}`), ...(req.links ?? [])] },
            ]),
          ),
          links: req.links ?? [],
          annotations: req.annotations ?? {},
          ...(req.cpus !== undefined ? { cpus: req.cpus } : {}),
          ...(req.memoryMB !== undefined ? { memoryMB: req.memoryMB } : {}),
        },
        { datastore: target.datastore.name, vsan: target.datastore.vsan },
      )
      const moref = await client.createVM(target.vmFolder, spec, target.pool, { opId: op.opId })
      const state = vmStateFrom(moref, {
        name: spec.name,
        'config.changeVersion': '',
        'config.extraConfig': spec.extraConfig,
        'config.files.vmPathName': createdVmPathName(target.datastore.name, id, name, target.datastore.vsan),
        'runtime.powerState': 'poweredOff',
      })
      const container = state && store.committed(state)
      if (!container) throw new Error(`created VM ${moref.value} does not read back as a container`)
      this.deps.log.info({ opId: op.opId, id, name, vm: moref.value }, 'container created')
      this.events.emit({ type: 'create', id, name })
      return containerView(container)
    } catch (err) {
      if (isFault(err, 'DuplicateName'))
        throw new ContainerError('conflict', `a VM for container ${id} already exists`, { cause: err })
      // the ID's folder is there already: another process created this ID, or a removal left its files behind
      if (isFault(err, 'FileAlreadyExists'))
        throw new ContainerError('conflict', `the datastore already has a folder for container ${id}`, { cause: err })
      throw unavailableOr(err)
    } finally {
      releaseName?.()
      releaseId()
    }
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
      this.events.emit({ type: 'start', id: c.id, name: c.name })
    })
  }

  stop(ref: string, _options: StopOptions, op: OpContext): Promise<void> {
    return reaching(async () => {
      const c = this.deps.store.resolve(ref)
      if (c.state !== 'running') throw new ContainerError('invalid_state', `container ${c.name} is not running`)
      await this.#power(c, 'off', op)
      this.events.emit({ type: 'stop', id: c.id, name: c.name })
    })
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
      await client.destroy(c.vm.moref, { opId: op.opId })
    } catch (err) {
      // powered on elsewhere since the store last heard of it
      if (isFault(err, 'InvalidPowerState')) {
        const message = `container ${c.name} is running: stop it first or remove with force`
        throw new ContainerError('container_running', message, { cause: err })
      }
      throw this.#goneOr(c, err)
    }
    store.removed(c.vm.moref)
    // vSphere may leave files it did not create (the serial-port logs) behind in the folder
    const { datastore, folder } = splitVmPath(c.vm.vmPathName)
    if (folder !== '')
      await client
        .deleteDatastoreFile(`[${datastore}] ${folder}`, target.datacenter, { opId: op.opId })
        .catch((err: unknown) => {
          if (!isFault(err, 'FileNotFound')) this.deps.log.warn({ opId: op.opId, err }, 'container folder left behind')
        })
    this.deps.log.info({ opId: op.opId, id: c.id, name: c.name }, 'container removed')
    this.events.emit({ type: 'remove', id: c.id, name: c.name })
  }

  rename(ref: string, newName: string, op: OpContext): Promise<void> {
    return reaching(() => this.#rename.run(ref, newName, op))
  }

  /** Finishes renames a dead process left half done; run before serving. */
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

  onEvent(listener: (event: ContainerEvent) => void): () => void {
    return this.events.on(listener)
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
    try {
      if (to === 'on') await client.powerOn(c.vm.moref, { opId: op.opId })
      else await client.powerOff(c.vm.moref, { opId: op.opId })
    } catch (err) {
      if (isFault(err, 'InvalidPowerState'))
        throw new ContainerError('invalid_state', `container ${c.name} is already ${to === 'on' ? 'running' : 'stopped'}`)
      throw this.#goneOr(c, err)
    }
    store.committed({ ...c.vm, powerState: to === 'on' ? 'poweredOn' : 'poweredOff' })
  }

  /** The VM was deleted elsewhere before the store heard of it: forget it and say so. */
  #goneOr(c: Container, err: unknown): unknown {
    if (!isFault(err, 'ManagedObjectNotFound')) return err
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

/** Runs a flow that talks to vSphere; failing to reach it becomes `vsphere_unavailable` (503 with Retry-After). */
async function reaching<T>(flow: () => Promise<T>): Promise<T> {
  try {
    return await flow()
  } catch (err) {
    throw unavailableOr(err)
  }
}

function unavailableOr(err: unknown): unknown {
  if (!(err instanceof VimUnreachable || err instanceof VimClientClosed)) return err
  const message = `vSphere cannot be reached (${err.message}); retry later`
  return new ContainerError('vsphere_unavailable', message, { cause: err })
}

/** VIC's tether records a started session; portlayer stands in for it so a stopped container reads `stopped`. */
function markStarted(c: Container): { extraConfig: Map<string, string> } | undefined {
  const config = decodeContainer(c.vm.extraConfig)
  const session = config.sessions[config.id]
  if (!session || session.started !== '') return undefined
  session.started = 'true'
  return { extraConfig: new Map(Object.entries(encodeContainer(config))) }
}

