/**
 * Two portlayer processes, one name: how a name stays unique across processes when renames and creates give it,
 * and the read that checks it.
 *
 * Each process decides from its own store, a cache that lags vSphere, so two processes can each see a name free
 * and both give it. vSphere offers no uniqueness for container names (display names carry the short ID) and no
 * lock; what it does offer is a compare-and-swap per VM (a reconfigure carrying `changeVersion`) and reads that
 * see every finished task. The protocol uses only those.
 *
 * ## Protocol (every rename and every create, in every process)
 *
 * 1. Claim. A rename: one ReconfigVM_Task (with changeVersion) gives the VM the new display name and `common/name`
 *    and writes a `pending` journal {old, new, claim token} (journal.ts). While a journal is pending the container
 *    holds both names: nobody else may take either. A create (create.ts): the CreateVM_Task itself carries the
 *    same journal with old name '', so the new VM holds its name as pending from the moment it exists; its claim
 *    costs no call of its own.
 * 2. Check. One RetrievePropertiesEx, sent once the claim task has finished, reads the claim task's outcome and,
 *    of every VM under the folder (through a traversal), the ExtraConfig keys that say who holds which name: ID,
 *    name and journal, each selected alone (`config.extraConfig["key"]`, so no VM's whole ExtraConfig is sent;
 *    `NameWatch.look`). For a create it is the read of the CreateVM_Task, which tells which VM is the claimant.
 *    The result is vSphere as it was after the claim, with no cache in between.
 * 3. Decide (contest.ts, pure). Lost when another container holds the name: for good (no journal, or a decided
 *    one), or by a rival pending claim (both lose when each sees the other), or by a pending rename away from the
 *    name, unless that rename's own new name is free: then it is decided won for its owner (a `fence`: its
 *    journal is set to `won` with CAS) and the decision is taken again.
 * 4. Won: nothing is written for the decision itself. Linked containers are re-pointed, then one ReconfigVM_Task
 *    removes the journal; its outcome is not awaited (sweeper.ts learns it from the store or the next check
 *    read, and sends the removal again if it failed). A won create removes its journal the same way. Lost (a
 *    rename): one ReconfigVM_Task, conditioned (CAS) on the journal being this claim's and still pending, puts the
 *    old name back and removes the journal; the caller gets 409 `name_conflict`. If the journal was decided won
 *    meanwhile, the rename goes on as won. Lost (a create): Destroy_Task on the new VM, then 409 `name_conflict`.
 *    No CAS is needed: a create's journal leaves no name (it holds only its new name), so no fence ever targets
 *    it; its owner is the only one that decides it while the owner lives.
 * 5. Two claims that saw each other both lose; the one with the lower container ID then claims again after a short
 *    wait (a few times at most), by when the other has given the name back: the higher ID is the loser. A create
 *    claims again by creating again, once its first VM is destroyed. A claim that lost to a final holder, or to a
 *    lower ID, answers 409 at once.
 *
 * Who may decide: the claim's owner decides won (silently) or lost; anyone may decide a pending rename won (fence)
 * when a read taken after the claim shows its new name free; recovery (execute.ts) decides lost only when a final
 * holder of the name exists, and otherwise waits for pending rivals to settle. Renames and creates of one process
 * decide with separate sets of silently won claims (execute.ts, create.ts): a claim one set lacks is read as
 * pending, which only ever makes a rival lose, never win.
 *
 * ## Why no name ends up on two containers
 *
 * Times are those of finished tasks and of reads; a read sees every task finished before it.
 *
 * (a) Two claims on one name never both end won (a claim ends won when its journal goes and the name stays, or
 *     undone). Let X and Y claim N, X's claim finishing first (tX < tY). Y is decided won only from a read
 *     r > tY > tX. At r, X holds N (its claim pending, decided, or finished), so Y loses, unless X was undone
 *     already, and an undone claim never ends won. A fence decides from the same kind of read under the same
 *     rule, so it is covered too.
 * (b) A silent decision stays true. After X is decided won at rX, every later claim on N sees X holding N and
 *     loses; nobody but X's owner may decide X lost (it does only before answering, when re-pointing a link
 *     fails for good), and recovery does so only when a final holder of N exists, which (a) rules out.
 * (c) Undoing never takes a name from someone. X goes back to its old name O only by the CAS on its own pending
 *     journal. Until then X holds O: a claim on O checked before X's claim saw X with O for good, one checked
 *     after it sees X's pending journal; both lose. A fence on X makes the CAS fail, and then X never goes back.
 *     Undoing a create destroys its VM, which gives no name to anyone.
 * (d) A container that is not being renamed keeps its name: every claim on it sees it, a final holder, and loses.
 * (e) Claiming again (5) is a new claim with a new token, after the old one was undone; (a) to (d) hold for it.
 *
 * Creates are claimants like renames: a finished CreateVM_Task is a finished claim task (the VM and its pending
 * journal are in the folder for every later read), and a create's check read is taken after it, so (a) holds for
 * it as claimant and as rival. (b) holds because nobody decides a live create lost but its owner. The one
 * difference, no CAS on the undo, is sound because a fence only targets a pending rename *away* from the contested
 * name, and a create's journal holds no name but its new one (contest.ts `namesHeld`).
 *
 * `test/unit/container/rename-protocol.test.ts` checks (a) to (e) on a model of these steps under random
 * interleavings of renames and creates from several processes; `test/integration/rename/two-processes.test.ts`
 * (renames) and `create-race.test.ts` (creates against creates and renames) on the simulator.
 *
 * Assumptions: every container VM is in the folder the check reads (through child folders and vApps);
 * changeVersion changes with every config change (vCenter's, and the simulator's compat layer). Recovery settles
 * a create's journal left by a dead process like a rename's: won when the name is free; when a final holder
 * exists, execute.ts gives it its "old name" '' instead of destroying the VM (no duplicate, but a nameless
 * container is left to remove).
 *
 * Liveness: of two claims that see each other, the lower container ID gets the name (5). A process that
 * dies holding a pending claim blocks both names until a start of any portlayer settles the journal (execute.ts
 * `recover`); recovery that finds two claims of dead processes on one name leaves both for a later start, because
 * undoing either might undo a rename its client was told succeeded.
 *
 * ## Cost
 *
 * An uncontended unlinked rename: claim (ReconfigVM_Task) + check (RetrievePropertiesEx, which also reads the claim
 * task) + journal removal (ReconfigVM_Task, not awaited) = 3 SOAP calls. An uncontended create: CreateVM_Task +
 * check (the read of its task, which a create without the guard makes too) + journal removal (not awaited) = 3:
 * the check itself costs nothing, clearing the pending mark costs one reconfigure. (Leaving a won create's journal
 * on its VM would save that call, but recovery could then no longer tell a create that won from one whose process
 * died between losing and destroying its VM, and a pending rename it raced could not be settled safely.) Neither
 * cost depends on what the store has heard: the check reads every name itself. A fence, or undoing a lost
 * rename, adds a reconfigure and its task read; a lost create adds Destroy_Task and its task read. The check
 * reads the folder through a traversal, so it keeps no view; its answer grows with the folder by a few hundred
 * bytes per container.
 */
import type { Logger } from 'pino'
import { containerKeys, unescapeNil } from '../../extraconfig/index.js'
import { moRefKey, type MoRef, type OptionValue, type PropertyFilterSpec, type TaskInfo, type VimClient } from '../../vim/index.js'
import { objectsFilterSpec, retrieveAll } from '../../vim/property.js'
import { commit } from '../commit.js'
import type { Container } from '../container.js'
import { ContainerError } from '../errors.js'
import type { ContainerStore } from '../store.js'
import { isContainerId } from '../naming.js'
import { contest, type Claim, type NameHolder, type Verdict } from './contest.js'
import { journalKey, readJournal, withJournal } from './journal.js'

export interface WatchDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly target: { readonly vmFolder: MoRef<'Folder'> }
  readonly log: Logger
}

/** A container seen by the check, with the VM it lives in (to fence it). */
export interface SeenHolder extends NameHolder {
  readonly vm: MoRef<'VirtualMachine'>
}

/** vSphere after a claim: every other container, the renamed VM's changeVersion, and tasks asked about. */
export interface Sighting {
  readonly holders: SeenHolder[]
  /** the renamed VM's changeVersion now; undefined when it is no longer in the folder */
  readonly changeVersion: string | undefined
  /** the info of each task asked about, by task moref value (a task vSphere no longer has is left out) */
  readonly tasks: ReadonlyMap<string, TaskInfo>
}

/** The ExtraConfig keys the check reads of every VM, each by itself (vCenter's indexed property paths). */
const watchedKeys = [containerKeys.id, containerKeys.name, containerKeys.legacyName, journalKey] as const

/** The property path of one ExtraConfig key: vCenter collects just that OptionValue, or nothing when it is unset. */
export function extraConfigKeyPath(key: string): string {
  return `config.extraConfig["${key}"]`
}

const watchedPaths = ['config.changeVersion', ...watchedKeys.map(extraConfigKeyPath)]

export class NameWatch {
  constructor(private readonly deps: WatchDeps) {}

  /**
   * One read of vSphere as it is now: the name, ID and journal of every container in the folder, and the outcome
   * of `tasks` (the claim's, and earlier journal removals still unconfirmed). `self` is the claiming VM, or for a
   * create the claim's CreateVM_Task (among `tasks`): the VM it made, once it is done.
   */
  async look(self: MoRef<'VirtualMachine'> | MoRef<'Task'>, tasks: readonly MoRef<'Task'>[], opId: string): Promise<Sighting> {
    const { client, target } = this.deps
    const specSet = [folderVmsSpec(target.vmFolder, watchedPaths)]
    // vCenter forgets old tasks: one it no longer has is left out of the answer, not a fault
    if (tasks.length > 0) specSet.push({ ...objectsFilterSpec(tasks, ['info']), reportMissingObjectsInResults: true })
    const objects = await retrieveAll(client.rt, client.propertyCollector, specSet, { opId })

    const infos = new Map<string, TaskInfo>()
    for (const o of objects) {
      const info = o.obj.type === 'Task' ? (o.props['info'] as TaskInfo | undefined) : undefined
      if (info) infos.set(o.obj.value, info)
    }
    const made = self.type === 'Task' ? infos.get(self.value) : undefined
    const selfVm = made?.state === 'success' ? (made.result as MoRef | undefined) : self.type === 'Task' ? undefined : self
    const selfKey = selfVm ? moRefKey(selfVm) : undefined

    const holders: SeenHolder[] = []
    let selfVersion: string | undefined
    for (const { obj, props } of objects) {
      if (obj.type !== 'VirtualMachine') continue
      if (moRefKey(obj) === selfKey) {
        selfVersion = String(props['config.changeVersion'] ?? '')
        continue
      }
      const keys = new Map<string, string>()
      for (const key of watchedKeys) {
        const option = props[extraConfigKeyPath(key)] as OptionValue | undefined
        if (option) keys.set(key, option.value === undefined ? '' : String(option.value))
      }
      const id = keys.get(containerKeys.id)
      if (id === undefined || !isContainerId(id)) continue
      const journal = readJournal(keys)
      holders.push({ id, name: nameIn(keys), vm: obj as MoRef<'VirtualMachine'>, ...(journal ? { journal } : {}) })
    }
    return { holders, changeVersion: selfVersion, tasks: infos }
  }
}

/** fences, then fresh looks, while deciding one claim */
const contestRounds = 6

/**
 * The verdict on `claim` from what `first` saw: a pending rename whose own new name is free is fenced (decided won)
 * and vSphere looked at again with `lookAgain`, a bounded number of times; a fence still wanted after that counts
 * as lost, which is always safe (the client may try again).
 */
export async function decideClaim(
  deps: WatchDeps,
  claim: Claim,
  decided: ReadonlySet<string>,
  first: Sighting,
  lookAgain: () => Promise<Sighting>,
  opId: string,
): Promise<{ verdict: Exclude<Verdict, { kind: 'fence' }>; sighting: Sighting }> {
  let sighting = first
  for (let round = 1; ; round++) {
    const verdict = contest(claim, sighting.holders, decided)
    if (verdict.kind !== 'fence') return { verdict, sighting }
    if (round >= contestRounds) return { verdict: { kind: 'lost', holder: verdict.holder, final: false }, sighting }
    await fence(deps, verdict.holder as SeenHolder, opId)
    sighting = await lookAgain()
  }
}

/** Every VM under `folder`, through its child folders and vApps, with `paths`: one read, no view to keep. */
export function folderVmsSpec(folder: MoRef<'Folder'>, paths: readonly string[]): PropertyFilterSpec {
  return {
    propSet: [{ type: 'VirtualMachine', pathSet: [...paths] }],
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
            selectSet: [{ name: 'folderChildren' }, { name: 'vAppVms' }],
          },
          { _type: 'TraversalSpec', name: 'vAppVms', type: 'VirtualApp', path: 'vm', skip: false },
        ],
      },
    ],
  }
}

/**
 * Decides another container's pending rename won (CAS on its journal): the fence of step 3. A journal that changed
 * meanwhile, or a container gone, is left alone; the caller looks again either way.
 */
export async function fence(deps: WatchDeps, holder: SeenHolder, opId: string): Promise<void> {
  const claim = holder.journal?.claim
  if (claim === undefined) return
  if (!deps.store.index.get(holder.id) && !(await deps.store.fresh(holder.vm, opId))) return
  try {
    await commit(
      deps,
      holder.id,
      (c) => {
        const journal = readJournal(c.vm.extraConfig)
        if (!journal || journal.claim !== claim || journal.state === 'won') return undefined
        return { extraConfig: withJournal(c.vm.extraConfig, { ...journal, state: 'won' }) }
      },
      opId,
    )
    deps.log.info({ opId, id: holder.id, claim }, "decided another process's pending rename won")
  } catch (err) {
    if (!ContainerError.is(err, 'not_found')) throw err
  }
}

/** A container as the contest sees it: its name, its journal if one is open, its VM. */
export function holderOf(c: Container): SeenHolder {
  const journal = readJournal(c.vm.extraConfig)
  return { id: c.id, name: c.name, vm: c.vm.moref, ...(journal ? { journal } : {}) }
}

/** The name as the codec reads it: the hidden key, or where containers before data version 2 keep it. */
function nameIn(extraConfig: ReadonlyMap<string, string>): string {
  const value = extraConfig.get(containerKeys.name) ?? extraConfig.get(containerKeys.legacyName) ?? ''
  return unescapeNil(value)
}
