/**
 * Creating a container: validate, reserve the ID and the name, build the VM spec, one CreateVM_Task, and the new
 * container goes into the store at once.
 *
 * The name is reserved in this process only, so a create is also a claim of the cross-process protocol
 * (rename/cross-process.ts): the CreateVM_Task writes a pending journal with the name (old name ''), the read of the
 * task is the check read, and the pure rules decide. Won: the journal is removed by the sweeper, unawaited. Lost:
 * the new VM is destroyed and the caller gets 409 `name_conflict`; of two creates or claims that saw each other,
 * the one with the lower ID destroys its VM, waits and creates again.
 *
 * A creation is never sent again blind (the first may have made the VM; a ranked loser sends its next one only
 * after destroying the VM of the first), so when its answer is lost (a reset or a
 * timeout on CreateVM_Task or on the read of its task) the outcome is unknown. Then the VM is looked up by its
 * display name in the VM folder, which is unique there and carries the short ID: found, it is this create's
 * container, checked like any claim, and the caller gets it (or, when the check cannot be made, the VM is destroyed);
 * not found, or vSphere still out of reach, the caller gets
 * `vsphere_unavailable`. Either way the answer is definite, and a create of the same ID sent again finds the ID
 * taken (in the store, or vSphere's DuplicateName / FileAlreadyExists) instead of making a second VM.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import {
  isFault,
  methods,
  retrieveAll,
  VimTaskTimeout,
  VimUnreachable,
  type MoRef,
  type VimClient,
} from '../vim/index.js'
import { taskOutcome } from '../vim/task.js'
import { isTaskDone } from '../vim/task-watcher.js'
import { containerView, type Container } from './container.js'
import { ContainerError } from './errors.js'
import type { ContainerEvents } from './events.js'
import { createdVmPathName, generateName, isContainerId, newContainerId } from './naming.js'
import type { Target } from './placement.js'
import type { Verdict } from './rename/contest.js'
import { decideClaim, folderVmsSpec, NameWatch, type Sighting } from './rename/cross-process.js'
import { journalKey, formatJournal, type RenameJournal } from './rename/journal.js'
import { validateNewName } from './rename/plan.js'
import { JournalSweeper } from './rename/sweeper.js'
import { createSpec } from './spec.js'
import type { ContainerStore } from './store.js'
import type { ContainerView, CreateRequest, OpContext } from './types.js'
import { vmStateFrom } from './vm-state.js'
import { isVmGone, resendIfRefused, unavailableOr } from './vsphere-errors.js'

export interface CreateDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly target: Target
  /** the data version new containers are stamped with */
  readonly dataVersion: number
  readonly log: Logger
}

/** creates made again, and the wait before each, by the lower-ranked of two claims that saw each other */
const rivalRounds = 4
const rivalWaitMs = 50

/** What the check of creates keeps for the life of the process: the watch, the sweeper, claims decided won. */
interface CreateClaims {
  readonly watch: NameWatch
  readonly sweeper: JournalSweeper
  /** creates decided won whose journal may still be on the VM (contest.ts counts them as final) */
  readonly decided: Set<string>
}

const claimsByStore = new WeakMap<ContainerStore, CreateClaims>()

function claimsFor(deps: CreateDeps): CreateClaims {
  let claims = claimsByStore.get(deps.store)
  if (!claims) {
    const decided = new Set<string>()
    const sweeper = new JournalSweeper(deps, (claim) => decided.delete(claim))
    deps.store.onChange((change) => {
      if (change.kind === 'put') sweeper.observe(change.container)
    })
    deps.store.onHeldBack((reported) => sweeper.observe(reported))
    claims = { watch: new NameWatch(deps), sweeper, decided }
    claimsByStore.set(deps.store, claims)
  }
  return claims
}

export async function createContainer(
  deps: CreateDeps,
  events: ContainerEvents,
  req: CreateRequest,
  op: OpContext,
): Promise<ContainerView> {
  const { store, target } = deps
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
    const claims = claimsFor(deps)
    let container: Container | undefined
    for (let round = 1; !container; round++) {
      const journal: RenameJournal = { oldName: '', newName: name, linked: [], claim: randomBytes(8).toString('hex'), state: 'pending' }
      const claimed = { ...spec, extraConfig: [...(spec.extraConfig ?? []), { key: journalKey, value: formatJournal(journal) }] }
      const { vm, sighting: first } = await claimByCreate(deps, claims, claimed, id, op)
      const lookAgain = async (): Promise<Sighting> => {
        const seen = await claims.watch.look(vm, claims.sweeper.tasks(), op.opId)
        claims.sweeper.learn(seen.tasks)
        return seen
      }
      const claim = { id, oldName: '', newName: name }
      const { verdict, sighting } = await decideClaim(deps, claim, claims.decided, first, lookAgain, op.opId).catch(
        async (err: unknown) => {
          // no verdict: the caller is told the create failed, so its VM must not keep the name
          await destroyLost(deps, vm, op).catch(() => undefined)
          throw err
        },
      )
      if (verdict.kind === 'won') {
        claims.decided.add(journal.claim)
        const state = vmStateFrom(vm, {
          name: claimed.name,
          'config.changeVersion': sighting.changeVersion ?? '',
          'config.extraConfig': claimed.extraConfig,
          'config.files.vmPathName': createdVmPathName(target.datastore.name, id, name, target.datastore.vsan),
          'runtime.powerState': 'poweredOff',
        })
        // every report of a VM made by this create is newer than the create
        container = state && store.committed(state, { since: 0, created: true, exact: sighting.changeVersion !== undefined })
        if (!state || !container) throw new Error(`created VM ${vm.value} does not read back as a container`)
        if (sighting.changeVersion !== undefined) {
          await claims.sweeper.send(id, journal.claim, state, sighting.changeVersion, op.opId)
          container = store.index.get(id) ?? container
        }
        break
      }
      // a create is never fenced (it leaves no name), so nobody but this create decides its claim: no CAS is needed
      await destroyLost(deps, vm, op)
      const ranksFirst = !verdict.final && verdict.holder.journal?.newName === name && id < verdict.holder.id
      if (!ranksFirst || round >= rivalRounds) throw lostTo(name, verdict)
      deps.log.info({ opId: op.opId, id, name, rival: verdict.holder.id }, 'created a name at the same time as another process; creating again')
      await new Promise((resolve) => setTimeout(resolve, rivalWaitMs * round))
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

/**
 * The claim: CreateVM_Task with the pending journal, then the check read, which also reads the task (the VM it
 * made, or its fault). A task still running is waited for and the check read taken again. When the answer is lost
 * the VM is looked up (`findCreated`) and, found, checked like any claim.
 */
async function claimByCreate(
  deps: CreateDeps,
  claims: CreateClaims,
  spec: Parameters<VimClient['createVM']>[1],
  id: string,
  op: OpContext,
): Promise<{ vm: MoRef<'VirtualMachine'>; sighting: Sighting }> {
  const { client, target } = deps
  const look = async (self: MoRef<'VirtualMachine'> | MoRef<'Task'>, task?: MoRef<'Task'>): Promise<Sighting> => {
    const sighting = await claims.watch.look(self, [...(task ? [task] : []), ...claims.sweeper.tasks()], op.opId)
    claims.sweeper.learn(sighting.tasks)
    return sighting
  }
  try {
    const task = await resendIfRefused(() =>
      methods.createVMTask(client.rt, target.vmFolder, spec, target.pool, undefined, { opId: op.opId }),
    )
    const sighting = await look(task, task)
    const info = sighting.tasks.get(task.value)
    if (info && isTaskDone(info)) return { vm: taskOutcome(info) as MoRef<'VirtualMachine'>, sighting }
    // still running (vCenter queues tasks): wait for it, then look again
    const vm = (await client.waitForTask(task, { opId: op.opId })) as MoRef<'VirtualMachine'>
    return { vm, sighting: await look(vm) }
  } catch (err) {
    if (!outcomeUnknown(err)) throw err
    const found = await findCreated(deps, String(spec.name), id, op).catch((lookup: unknown) => {
      deps.log.warn({ opId: op.opId, id, err: lookup }, 'cannot look up a create whose answer was lost')
      return undefined
    })
    if (!found) throw err
    deps.log.warn({ opId: op.opId, id, vm: found.vm.moref.value, err }, 'create answer lost; found the VM it made')
    try {
      return { vm: found.vm.moref, sighting: await look(found.vm.moref) }
    } catch (checking) {
      // unchecked, the create is answered as failed: its VM must not keep the name
      await destroyLost(deps, found.vm.moref, op).catch(() => undefined)
      throw checking
    }
  }
}

/** Removes the VM of a create that lost its name, trying again while vSphere is out of reach. */
async function destroyLost(deps: CreateDeps, vm: MoRef<'VirtualMachine'>, op: OpContext): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await resendIfRefused(() => deps.client.destroy(vm, { opId: op.opId }))
      deps.store.removed(vm)
      return
    } catch (err) {
      if (isVmGone(err, vm)) return deps.store.removed(vm)
      if (!(err instanceof VimUnreachable) || attempt >= 5) {
        // the VM keeps its pending journal: the next start settles it (rename/execute.ts `recover`)
        deps.log.error({ opId: op.opId, vm: vm.value, err }, 'cannot remove the VM of a create that lost its name')
        throw err
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
    }
  }
}

function lostTo(name: string, verdict: Verdict & { kind: 'lost' }): ContainerError {
  const { holder, final } = verdict
  return new ContainerError(
    'name_conflict',
    final
      ? `the name ${name} is already in use by container ${holder.id} (given by another portlayer process)`
      : `the name ${name} was claimed at the same time for container ${holder.id} (by another portlayer process); try again`,
  )
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
  const named = await retrieveAll<{ name: string }>(client.rt, client.propertyCollector, [folderVmsSpec(target.vmFolder, ['name'])], {
    opId: op.opId,
  })
  const match = named.find((vm) => vm.props.name === displayName)
  if (!match) return undefined
  const found = await store.fresh(match.obj as MoRef<'VirtualMachine'>, op.opId)
  return found?.id === id ? found : undefined
}
