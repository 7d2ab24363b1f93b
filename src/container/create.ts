/**
 * Creating a container: validate, reserve the ID and the name in memory (this process is the namespace's only
 * writer, so the store decides names as docker's registrar does), build the VM spec, one CreateVM_Task and its
 * outcome, and the new container goes into the store at once. Two SOAP calls, whatever the folder holds.
 *
 * A creation is never sent again blind (the first may have made the VM), so when its answer is lost (a reset, or a
 * timeout on CreateVM_Task or on the read of its task) the VM is looked up by its display name, which is unique
 * in the VM folder and carries the short ID: found, it is this create's container; not found, or vSphere still
 * out of reach, the caller gets `vsphere_unavailable`. A create of the same ID sent again then finds the ID taken
 * (in the store, or vSphere's DuplicateName / FileAlreadyExists) instead of making a second VM.
 */
import type { Logger } from 'pino'
import { isFault, VimTaskTimeout, VimUnreachable, type MoRef, type VimClient } from '../vim/index.js'
import { containerView, type Container } from './container.js'
import { ContainerError } from './errors.js'
import { createdVmPathName, generateName, isContainerId, newContainerId } from './naming.js'
import type { Target } from './placement.js'
import { validateNewName } from './rename/plan.js'
import { createSpec } from './spec.js'
import type { ContainerStore } from './store.js'
import type { ContainerView, CreateRequest, OpContext } from './types.js'
import { vmStateFrom } from './vm-state.js'
import { resendIfRefused, unavailableOr } from './vsphere-errors.js'

export interface CreateDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly target: Target
  /** the data version new containers are stamped with */
  readonly dataVersion: number
  readonly log: Logger
}

export async function createContainer(deps: CreateDeps, req: CreateRequest, op: OpContext): Promise<ContainerView> {
  const { client, store, target } = deps
  const id = req.id ?? newContainerId()
  if (!isContainerId(id)) throw new ContainerError('invalid_request', 'id must be 64 lowercase hexadecimal characters')
  if (req.name !== undefined) {
    try {
      validateNewName(req.name)
    } catch (err) {
      if (ContainerError.is(err, 'name_empty')) throw new ContainerError('invalid_name', 'the name must not be empty')
      throw err
    }
  }
  const name = req.name ?? generateName((n) => store.names.isTaken(n))
  const releaseId = store.names.reserveId(id)
  let releaseName: (() => void) | undefined
  try {
    releaseName = store.names.reserve(name, id)
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
    let vm: MoRef<'VirtualMachine'>
    try {
      vm = await resendIfRefused(() => client.createVM(target.vmFolder, spec, target.pool, { opId: op.opId }))
    } catch (err) {
      if (!outcomeUnknown(err)) throw err
      const found = await findCreated(deps, String(spec.name), id, op).catch((lookup: unknown) => {
        deps.log.warn({ opId: op.opId, id, err: lookup }, 'cannot look up a create whose answer was lost')
        return undefined
      })
      if (!found) throw err
      deps.log.warn({ opId: op.opId, id, vm: found.vm.moref.value, err }, 'create answer lost; found the VM it made')
      vm = found.vm.moref
    }
    const state = vmStateFrom(vm, {
      name: spec.name,
      'config.extraConfig': spec.extraConfig,
      'config.files.vmPathName': createdVmPathName(target.datastore.name, id, name, target.datastore.vsan),
      'runtime.powerState': 'poweredOff',
    })
    // every report of a VM made by this create is newer than the create
    const container: Container | undefined = state && store.committed(state, { since: 0, created: true })
    if (!container) throw new Error(`created VM ${vm.value} does not read back as a container`)
    deps.log.info({ opId: op.opId, id, name, vm: vm.value }, 'container created')
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
 * The container `id` if its VM exists: from the store when its update loop has seen it already, else the VM
 * folder's child with the display name (one call), read once.
 */
async function findCreated(deps: CreateDeps, displayName: string, id: string, op: OpContext): Promise<Container | undefined> {
  const { client, store, target } = deps
  // the ID was reserved before the create, so whatever the store holds under it now is this create's VM
  const seen = store.index.get(id)
  if (seen) return seen
  const child = await client.findChild(target.vmFolder, displayName, { opId: op.opId })
  if (child?.type !== 'VirtualMachine') return undefined
  const found = await store.fresh(child as MoRef<'VirtualMachine'>, op.opId)
  return found?.id === id ? found : undefined
}
