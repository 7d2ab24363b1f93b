/**
 * Creating a container: validate, reserve the ID and the name, build the VM spec, one CreateVM_Task, and the new
 * container goes into the store at once.
 *
 * A creation is never sent twice (the first may have made the VM), so when its answer is lost (a reset or a
 * timeout on CreateVM_Task or on the read of its task) the outcome is unknown. Then the VM is looked up by its
 * display name in the VM folder, which is unique there and carries the short ID: found, it is this create's
 * container and the caller gets it; not found, or vSphere still out of reach, the caller gets
 * `vsphere_unavailable`. Either way the answer is definite, and a create of the same ID sent again finds the ID
 * taken (in the store, or vSphere's DuplicateName / FileAlreadyExists) instead of making a second VM.
 */
import type { Logger } from 'pino'
import {
  isFault,
  retrieveAll,
  VimClientClosed,
  VimTaskTimeout,
  VimUnreachable,
  type MoRef,
  type PropertyFilterSpec,
  type VimClient,
} from '../vim/index.js'
import { containerView, type Container } from './container.js'
import { ContainerError } from './errors.js'
import type { ContainerEvents } from './events.js'
import { createdVmPathName, generateName, isContainerId, newContainerId } from './naming.js'
import type { Target } from './placement.js'
import { validateNewName } from './rename/plan.js'
import { createSpec } from './spec.js'
import type { ContainerStore } from './store.js'
import type { ContainerView, CreateRequest, OpContext } from './types.js'
import { vmStateFrom } from './vm-state.js'

export interface CreateDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly target: Target
  /** the data version new containers are stamped with */
  readonly dataVersion: number
  readonly log: Logger
}

export async function createContainer(
  deps: CreateDeps,
  events: ContainerEvents,
  req: CreateRequest,
  op: OpContext,
): Promise<ContainerView> {
  const { client, store, target } = deps
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
        dataVersion: deps.dataVersion,
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
    let container: Container | undefined
    try {
      const send = () => client.createVM(target.vmFolder, spec, target.pool, { opId: op.opId })
      // NotAuthenticated means vSphere refused the call unrun (the session had expired and was renewed): send it again
      const moref = await send().catch((err: unknown) => {
        if (isFault(err, 'NotAuthenticated')) return send()
        throw err
      })
      const state = vmStateFrom(moref, {
        name: spec.name,
        'config.changeVersion': '',
        'config.extraConfig': spec.extraConfig,
        'config.files.vmPathName': createdVmPathName(target.datastore.name, id, name, target.datastore.vsan),
        'runtime.powerState': 'poweredOff',
      })
      container = state && store.committed(state)
      if (!container) throw new Error(`created VM ${moref.value} does not read back as a container`)
    } catch (err) {
      if (!outcomeUnknown(err)) throw err
      container = await findCreated(deps, String(spec.name), id, op).catch((lookup: unknown) => {
        deps.log.warn({ opId: op.opId, id, err: lookup }, 'cannot look up a create whose answer was lost')
        return undefined
      })
      if (!container) throw err
      deps.log.warn({ opId: op.opId, id, vm: container.vm.moref.value, err }, 'create answer lost; found the VM it made')
    }
    deps.log.info({ opId: op.opId, id, name, vm: container.vm.moref.value }, 'container created')
    events.emit({ type: 'create', id, name })
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

/** The call may have reached vSphere and run: the connection was lost after sending, or the wait ran out. */
function outcomeUnknown(err: unknown): boolean {
  if (err instanceof VimTaskTimeout) return true
  return err instanceof VimUnreachable && err.reason !== 'tls' && err.reason !== 'dns'
}

/**
 * The container `id` if its VM exists: from the store when its update loop has seen it already, else one read of
 * every VM name in the VM folder (folders followed) and one read of the VM that carries the display name.
 */
async function findCreated(deps: CreateDeps, displayName: string, id: string, op: OpContext): Promise<Container | undefined> {
  const { client, store, target } = deps
  // the ID was reserved before the create, so whatever the store holds under it now is this create's VM
  const seen = store.index.get(id)
  if (seen) return seen
  const named = await retrieveAll<{ name: string }>(client.rt, client.propertyCollector, [vmNamesSpec(target.vmFolder)], {
    opId: op.opId,
  })
  const match = named.find((vm) => vm.props.name === displayName)
  if (!match) return undefined
  const found = await store.fresh(match.obj as MoRef<'VirtualMachine'>, op.opId)
  return found?.id === id ? found : undefined
}

/** `name` of every VM under `folder`, through its child folders. */
function vmNamesSpec(folder: MoRef<'Folder'>): PropertyFilterSpec {
  return {
    propSet: [{ type: 'VirtualMachine', pathSet: ['name'] }],
    objectSet: [
      {
        obj: folder,
        skip: true,
        selectSet: [
          {
            _type: 'TraversalSpec',
            name: 'folderChildren',
            type: 'Folder',
            path: 'childEntity',
            skip: false,
            selectSet: [{ name: 'folderChildren' }],
          },
        ],
      },
    ],
  }
}

/** Failing to reach vSphere becomes `vsphere_unavailable` (503 with Retry-After). */
function unavailableOr(err: unknown): unknown {
  if (!(err instanceof VimUnreachable || err instanceof VimClientClosed || err instanceof VimTaskTimeout)) return err
  const message = `vSphere cannot be reached (${err.message}); retry later`
  return new ContainerError('vsphere_unavailable', message, { cause: err })
}
