/**
 * Carrying out a rename plan (plan.ts) against vSphere, safely.
 *
 * - One reconfigure claims the name: display name and hidden `common/name` together, with changeVersion, and a
 *   pending journal (journal.ts) naming the containers whose links must follow, written before any of them is
 *   touched.
 * - One read checks that no other process gave the name away meanwhile, and decides (cross-process.ts holds the
 *   protocol and why it never puts one name on two containers).
 * - Each linked container is then re-pointed (`old:x` → `new:x`) by its own reconfigure, and the journal removed
 *   without waiting for the outcome (sweeper.ts).
 * - A step whose connection is lost is tried again from a fresh read (its call may have been applied). A lost
 *   check, or a step that fails for good, undoes what was done, in reverse, and the caller gets the error; a
 *   crash leaves the journal, which `recover` (run before serving) settles: finished when the name is still free,
 *   undone when another container holds it.
 * - In one process, the renamed and linked containers are locked for the duration and both names are reserved, so
 *   concurrent renames never hand one name to two containers and never lose an update; ConcurrentAccess (a write
 *   from elsewhere) makes each commit read the VM again and replay, a bounded number of times.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { decodeContainer, encodeContainer } from '../../extraconfig/index.js'
import { isFault, isTransientFault, methods, VimFault, VimUnreachable, type MoRef, type VimClient } from '../../vim/index.js'
import { taskOutcome } from '../../vim/task.js'
import { isTaskDone } from '../../vim/task-watcher.js'
import { applied, commit, commitAttempts, configSpec, removedKeys, type Change } from '../commit.js'
import type { Container } from '../container.js'
import { ContainerError } from '../errors.js'
import type { ContainerEvents } from '../events.js'
import { KeyedLock } from '../keyed-lock.js'
import { displayName } from '../naming.js'
import type { ContainerStore } from '../store.js'
import type { OpContext } from '../types.js'
import type { VmState } from '../vm-state.js'
import { isDecided, type Claim, type Verdict } from './contest.js'
import { decideClaim, fence, NameWatch, type SeenHolder, type Sighting } from './cross-process.js'
import { readJournal, withJournal, type RenameJournal } from './journal.js'
import { JournalSweeper } from './sweeper.js'
import { planRename, rewriteFor, type RenamePlan } from './plan.js'
import { isVmGone, resendIfRefused } from '../vsphere-errors.js'

export interface RenameDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly target: { readonly vmFolder: MoRef<'Folder'> }
  readonly log: Logger
}

/** plans made again because the containers involved changed while we waited for their locks */
const planAttempts = 5
/** how long settling a journal waits for a rival's pending claim to settle, in looks and ms between them */
const settleRounds = 10
const settleWaitMs = 200
/** background settling of a journal a rename had to leave: tries, and the wait before the first and the longest */
const settleLaterAttempts = 30
const settleLaterFirstWaitMs = 250
const settleLaterMaxWaitMs = 4_000
/** claims made again, and the wait before each, by the lower-ranked of two claims that saw each other */
const rivalRounds = 4
const rivalWaitMs = 50
/** tries of one step across lost connections (a reset, a timeout), and the wait before the next, times the try */
const reachAttempts = 5
const reachWaitMs = 100

/** The container has an undecided journal this process did not write: settle it before renaming it. */
class RenameInProgress extends ContainerError {
  constructor(name: string) {
    super('conflict', `container ${name} is being renamed by another operation; try again`)
  }
}

type Settled = 'won' | 'undone' | 'none' | 'undecided'

export class RenameExecutor {
  readonly #locks = new KeyedLock()
  readonly #watch: NameWatch
  /** claims this process decided won whose journal may still be on the VM (contest.ts counts them as final) */
  readonly #decided = new Set<string>()
  readonly #sweeper: JournalSweeper

  constructor(
    private readonly deps: RenameDeps,
    private readonly events: ContainerEvents,
  ) {
    this.#watch = new NameWatch(deps)
    this.#sweeper = new JournalSweeper(deps, (claim) => this.#decided.delete(claim))
    deps.store.onChange((change) => {
      if (change.kind === 'put') this.#sweeper.observe(change.container)
    })
    deps.store.onHeldBack((reported) => this.#sweeper.observe(reported))
  }

  async run(ref: string, newName: string, op: OpContext): Promise<void> {
    const { store } = this.deps
    for (let attempt = 1; ; attempt++) {
      const draft = await this.#plan(ref, newName, op)
      const outcome = await this.#locks.run([draft.id, ...draft.linked.map((l) => l.id)], async () => {
        // the world may have moved while we waited for the locks: plan again, inside them
        const plan = planRename(store.index, ref, newName)
        if (plan.id !== draft.id || plan.linked.some((l) => !draft.linked.some((d) => d.id === l.id))) return 'replan'
        const releaseNew = store.reserveName(plan.newName, plan.id)
        // the old name stays this container's until the rename is decided: it may have to go back to it
        const releaseOld = store.reserveName(plan.oldName, plan.id)
        try {
          await this.#execute(plan, op)
          return 'done'
        } catch (err) {
          if (err instanceof RenameInProgress) return 'busy'
          throw err
        } finally {
          releaseOld()
          releaseNew()
        }
      })
      if (outcome === 'done') return
      if (attempt >= planAttempts)
        throw new ContainerError('conflict', `containers linked to ${ref} kept changing during the rename; try again`)
      if (outcome === 'busy' && (await this.#settle(draft.id, op)) === 'undecided')
        throw new RenameInProgress(draft.oldName)
    }
  }

  /**
   * The plan, or the refusal. A refusal that rests on the cache (the container already has the name, another
   * holds it) is checked against vSphere first: another process may have renamed either container since the
   * store last heard of it.
   */
  async #plan(ref: string, newName: string, op: OpContext): Promise<RenamePlan> {
    const { store } = this.deps
    try {
      return planRename(store.index, ref, newName)
    } catch (err) {
      if (!ContainerError.is(err, 'same_name') && !ContainerError.is(err, 'name_conflict')) throw err
      const cached = [store.index.resolve(ref), store.index.named(newName)]
      for (const c of cached) if (c) await store.fresh(c.vm.moref, op.opId)
      try {
        return planRename(store.index, ref, newName)
      } catch (again) {
        // the name comes from a rename another process has not decided yet: it may still be undone
        const target = ContainerError.is(again, 'same_name') ? store.index.resolve(ref) : undefined
        const open = target && readJournal(target.vm.extraConfig)
        if (open && !isDecided(open, this.#decided)) throw new RenameInProgress(target.name)
        throw again
      }
    }
  }

  /**
   * Settles a journal a rename had to leave open (vSphere could not be reached to take the claim back or to finish
   * it) in the background, trying again with a growing wait, so a live service does not wait for its next start
   * to close it.
   */
  #settleLater(id: string, attempt = 1): void {
    const waitMs = Math.min(settleLaterMaxWaitMs, settleLaterFirstWaitMs * 2 ** (attempt - 1))
    setTimeout(() => {
      this.#settle(id, { opId: `rename-settle-${id.slice(0, 12)}` }).then(
        (outcome) => {
          if (outcome === 'undecided' && attempt < settleLaterAttempts) this.#settleLater(id, attempt + 1)
        },
        (err: unknown) => {
          if (attempt < settleLaterAttempts) return this.#settleLater(id, attempt + 1)
          this.deps.log.error({ id, err }, 'a rename journal stays on its VM; the next start settles it')
        },
      )
    }, waitMs).unref()
  }

  /** Finishes or undoes every rename a dead process left open (its journal is still on the renamed VM). */
  async recover(op: OpContext): Promise<number> {
    let settled = 0
    for (const c of this.deps.store.list()) {
      if (!readJournal(c.vm.extraConfig)) continue
      const outcome = await this.#settle(c.id, op)
      if (outcome === 'undecided')
        this.deps.log.error(
          { opId: op.opId, id: c.id },
          'an interrupted rename races another one for its name; left for a later start to settle',
        )
      else if (outcome !== 'none') settled++
    }
    return settled
  }

  async #execute(plan: RenamePlan, op: OpContext): Promise<void> {
    const { log } = this.deps
    const { journal, claimed, sighting } = await this.#win(plan, op)
    this.#decided.add(journal.claim)
    const done: string[] = []
    let finished = false
    try {
      for (const linked of plan.linked) {
        // a step whose answer was lost may have been applied: it counts as done, so an undo reads and reverts it
        done.push(linked.id)
        const repoint = (c: Container): Change | undefined => repointChange(c, plan.oldName, plan.newName)
        try {
          await this.#reaching([linked.id], () => commit(this.deps, linked.id, repoint, op.opId), op)
        } catch (err) {
          // removed meanwhile: it has no links left to re-point
          if (!ContainerError.is(err, 'not_found')) throw err
          done.pop()
        }
      }
    } catch (err) {
      log.warn({ opId: op.opId, id: plan.id, err }, 'rename failed part way; undoing it')
      this.#decided.delete(journal.claim)
      let undone: boolean
      try {
        await this.#undoLinks(done, plan.newName, plan.oldName, op)
        undone = await this.#reaching([plan.id], () => this.#undoClaim(plan.id, journal, op), op, true)
      } catch (undoing) {
        // the journal names every linked container: settling it later finishes or undoes the whole rename
        log.error({ opId: op.opId, id: plan.id, err: undoing }, 'cannot undo a rename that failed part way yet')
        this.#settleLater(plan.id)
        throw err
      }
      if (undone) throw err
      // another process decided the claim won meanwhile (a fence): it cannot be undone, so it is finished instead
      try {
        await this.#finish(plan.id, { ...journal, state: 'won' }, op)
        finished = true
      } catch (finishing) {
        log.error({ opId: op.opId, id: plan.id, err: finishing }, 'a rename decided won elsewhere cannot be finished yet')
        this.#settleLater(plan.id)
        throw err
      }
    }
    if (!finished && sighting.changeVersion !== undefined)
      await this.#sweeper.send(plan.id, journal.claim, claimed.vm, sighting.changeVersion, op.opId)
    log.info({ opId: op.opId, id: plan.id, oldName: plan.oldName, name: plan.newName, linked: done.length }, 'renamed')
    this.events.emit({ type: 'rename', id: plan.id, name: plan.newName, oldName: plan.oldName })
  }

  /**
   * Claims the new name and checks it. Two claims on one name that see each other both lose; the one with the
   * lower container ID then claims again once the other has given the name back, so one of them gets it. Throws
   * `name_conflict` when the claim lost for good.
   */
  async #win(plan: RenamePlan, op: OpContext): Promise<{ journal: RenameJournal; claimed: { vm: VmState }; sighting: Sighting }> {
    for (let round = 1; ; round++) {
      const journal: RenameJournal = {
        oldName: plan.oldName,
        newName: plan.newName,
        linked: plan.linked.map((l) => l.id),
        claim: randomBytes(8).toString('hex'),
        state: 'pending',
      }
      const claimed = await this.#claim(plan, journal, op)
      const claim: Claim = { id: plan.id, oldName: plan.oldName, newName: plan.newName }
      const { verdict, sighting } = await this.#decide(claim, claimed.vm.moref, claimed.sighting, op).catch(
        async (err: unknown) => {
          // no verdict: the claim must not stay on the VM with its links unmoved
          await this.#reaching([plan.id], () => this.#undoClaim(plan.id, journal, op), op, true).catch((undo: unknown) => {
            this.deps.log.error({ opId: op.opId, id: plan.id, err: undo }, 'cannot take back an undecided rename claim yet')
            this.#settleLater(plan.id)
          })
          throw err
        },
      )
      // another actor may have decided this claim won in the meantime: then it stands
      if (verdict.kind === 'won' || !(await this.#undoClaim(plan.id, journal, op))) return { journal, claimed, sighting }
      const ranksFirst = !verdict.final && verdict.holder.journal?.newName === plan.newName && plan.id < verdict.holder.id
      if (!ranksFirst || round >= rivalRounds) throw lostTo(plan.newName, verdict)
      this.deps.log.info({ opId: op.opId, id: plan.id, name: plan.newName, rival: verdict.holder.id }, 'claimed a name at the same time as another process; claiming again')
      await new Promise((resolve) => setTimeout(resolve, rivalWaitMs * round))
    }
  }

  /**
   * The claim: one reconfigure, and one read that both learns its outcome and looks at every other VM. A stale
   * changeVersion or a transient fault is read again and replayed, a bounded number of times.
   */
  async #claim(
    plan: RenamePlan,
    journal: RenameJournal,
    op: OpContext,
  ): Promise<{ vm: VmState; sighting: Sighting }> {
    const { client, store } = this.deps
    let snapshot = store.get(plan.id)
    if (snapshot.vm.stale) snapshot = await this.#fresh(snapshot, op)
    for (let attempt = 1; ; attempt++) {
      const change = renameChange(snapshot, plan.oldName, plan.newName, journal, this.#decided)
      const spec = configSpec(snapshot.vm, change)
      if (!spec) throw new Error(`a rename of ${snapshot.name} changes nothing`)
      let failure: unknown
      let sighting: Sighting | undefined
      const since = store.reportsOf(snapshot.vm.moref)
      try {
        const task = await resendIfRefused(() =>
          methods.reconfigVMTask(client.rt, snapshot.vm.moref, spec, { opId: op.opId }),
        )
        sighting = await this.#look(snapshot.vm.moref, op, task)
        const info = sighting.tasks.get(task.value)
        if (!info || !isTaskDone(info)) {
          // still running (vCenter queues tasks): wait for it, then look again
          await client.waitForTask(task, { opId: op.opId })
          sighting = await this.#look(snapshot.vm.moref, op)
        } else {
          taskOutcome(info)
        }
      } catch (err) {
        failure = err
      }
      if (failure !== undefined && !VimFault.is(failure)) {
        // no answer: the claim may or may not be on the VM; take it back if it is (the caller gets the error)
        await this.#reaching([plan.id], () => this.#undoClaim(plan.id, journal, op), op, true).catch((undo: unknown) => {
          this.deps.log.error({ opId: op.opId, id: plan.id, err: undo }, 'cannot take back a rename claim yet')
          this.#settleLater(plan.id)
        })
        throw failure
      }
      if (sighting && failure === undefined) {
        const vm = applied(snapshot.vm, spec)
        store.committed(vm, { since, removed: removedKeys(spec) })
        return { vm, sighting }
      }
      if (isVmGone(failure, snapshot.vm.moref)) {
        store.removed(snapshot.vm.moref)
        throw new ContainerError('not_found', `container ${snapshot.name} no longer exists`, { cause: failure })
      }
      const again = isFault(failure, 'ConcurrentAccess') || isTransientFault(failure)
      if (!again) throw failure
      if (attempt >= commitAttempts)
        throw new ContainerError('conflict', `container ${snapshot.name} kept changing while it was being renamed; try again`, {
          cause: failure,
        })
      snapshot = await this.#fresh(snapshot, op)
    }
  }

  /** The verdict on a claim (cross-process.ts `decideClaim`), looking again with the removals still open. */
  #decide(claim: Claim, self: MoRef<'VirtualMachine'>, first: Sighting, op: OpContext) {
    return decideClaim(this.deps, claim, this.#decided, first, () => this.#look(self, op), op.opId)
  }

  /** The check read, which also brings back the outcome of journal removals still open. */
  async #look(self: MoRef<'VirtualMachine'>, op: OpContext, claim?: MoRef<'Task'>): Promise<Sighting> {
    const sighting = await this.#watch.look(self, [...(claim ? [claim] : []), ...this.#sweeper.tasks()], op.opId)
    this.#sweeper.learn(sighting.tasks)
    return sighting
  }

  /** Decides another container's pending rename won (cross-process.ts `fence`). */
  #fence(holder: SeenHolder, op: OpContext): Promise<void> {
    return fence(this.deps, holder, op.opId)
  }

  /**
   * Puts the old name back, if the journal is still this claim's and undecided (CAS). False when it was decided
   * won meanwhile (the rename stands).
   */
  async #undoClaim(id: string, journal: RenameJournal, op: OpContext): Promise<boolean> {
    const after = await commit(
      this.deps,
      id,
      (c) => {
        const now = readJournal(c.vm.extraConfig)
        if (!now || now.claim !== journal.claim || now.state === 'won') return undefined
        return renameChange(c, journal.newName, journal.oldName, undefined, this.#decided)
      },
      op.opId,
    )
    const now = readJournal(after.vm.extraConfig)
    return !(now?.claim === journal.claim && now.state === 'won') && after.name === journal.oldName
  }

  async #undoLinks(ids: readonly string[], from: string, to: string, op: OpContext): Promise<void> {
    for (const id of [...ids].reverse()) {
      try {
        await this.#reaching([id], () => commit(this.deps, id, (c) => repointChange(c, from, to), op.opId), op, true)
      } catch (err) {
        if (!ContainerError.is(err, 'not_found')) throw err
      }
    }
  }

  /**
   * Drives an open journal to its end: finished (links re-pointed, journal removed) when decided or when its new
   * name is free; undone when another container holds that name for good. A rival's pending claim is waited for;
   * if it stays, the journal is left undecided (see cross-process.ts, liveness).
   */
  async #settle(id: string, op: OpContext): Promise<Settled> {
    const cached = this.deps.store.index.get(id)
    let linked: readonly string[] = (cached && readJournal(cached.vm.extraConfig)?.linked) ?? []
    for (let attempt = 1; attempt <= planAttempts; attempt++) {
      // the journal read under the locks may name other linked containers than the cached one: lock those
      const outcome = await this.#locks.run([id, ...linked], () => this.#settleLocked(id, linked, op))
      if (typeof outcome === 'string') return outcome
      linked = outcome.relock
    }
    return 'undecided'
  }

  /** `#settle` with the container and its linked ones locked; asks to lock others when the journal names them. */
  async #settleLocked(id: string, locked: readonly string[], op: OpContext): Promise<Settled | { relock: readonly string[] }> {
    const { store } = this.deps
    for (let round = 1; ; round++) {
      const current = store.index.get(id)
      const c = current && (await store.fresh(current.vm.moref, op.opId))
      const journal = c && readJournal(c.vm.extraConfig)
      if (!c || !journal) return 'none'
      if (journal.linked.some((l) => !locked.includes(l))) return { relock: journal.linked }
      if (isDecided(journal, this.#decided)) {
        await this.#finish(c.id, journal, op)
        return 'won'
      }
      const sighting = await this.#look(c.vm.moref, op)
      const { verdict } = await this.#decide({ id, oldName: journal.oldName, newName: journal.newName }, c.vm.moref, sighting, op)
      if (verdict.kind === 'won') {
        await this.#fence({ id, name: c.name, vm: c.vm.moref, journal }, op)
        continue
      }
      if (verdict.kind === 'lost' && verdict.final) {
        await this.#undoLinks(journal.linked, journal.newName, journal.oldName, op)
        if (await this.#undoClaim(id, journal, op)) {
          this.deps.log.info({ opId: op.opId, id, oldName: journal.oldName, name: journal.newName }, 'undid an interrupted rename')
          return 'undone'
        }
        continue
      }
      if (round >= settleRounds) return 'undecided'
      await new Promise((resolve) => setTimeout(resolve, settleWaitMs))
    }
  }

  /** Re-points every linked container (idempotent) and removes the journal. */
  async #finish(id: string, journal: RenameJournal, op: OpContext): Promise<void> {
    for (const linked of journal.linked) {
      try {
        await commit(this.deps, linked, (l) => repointChange(l, journal.oldName, journal.newName), op.opId)
      } catch (err) {
        if (!ContainerError.is(err, 'not_found')) throw err
      }
    }
    await commit(
      this.deps,
      id,
      (r) => (readJournal(r.vm.extraConfig)?.claim === journal.claim ? { extraConfig: withJournal(r.vm.extraConfig, undefined) } : undefined),
      op.opId,
    )
    this.#decided.delete(journal.claim)
    this.deps.log.info({ opId: op.opId, id, oldName: journal.oldName, name: journal.newName }, 'finished an interrupted rename')
  }

  /**
   * Runs a step of a rename again while its connection is lost (up to `reachAttempts`). Each try after a lost one
   * (and the first too with `readFirst`, for an undo after a lost answer) starts from a fresh read of `ids`: the
   * lost call may have been applied, and the step must be decided on what vSphere holds.
   */
  async #reaching<T>(ids: readonly string[], step: () => Promise<T>, op: OpContext, readFirst = false): Promise<T> {
    const { store } = this.deps
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt > 1 || readFirst) {
          for (const id of ids) {
            const c = store.index.get(id)
            if (c) await store.fresh(c.vm.moref, op.opId)
          }
        }
        return await step()
      } catch (err) {
        if (!(err instanceof VimUnreachable) || attempt >= reachAttempts) throw err
        await new Promise((resolve) => setTimeout(resolve, reachWaitMs * attempt))
      }
    }
  }

  async #fresh(c: Container, op: OpContext): Promise<Container> {
    const fresh = await this.deps.store.fresh(c.vm.moref, op.opId)
    if (!fresh || fresh.id !== c.id) throw new ContainerError('not_found', `container ${c.name} no longer exists`)
    return fresh
  }
}

function lostTo(name: string, verdict: Verdict & { kind: 'lost' }): ContainerError {
  const { holder, final } = verdict
  return new ContainerError(
    'name_conflict',
    final
      ? `the name ${name} is already in use by container ${holder.id} (given by another portlayer process): remove or rename that container first`
      : `the name ${name} was claimed at the same time for container ${holder.id} (by another portlayer process); try again`,
  )
}

/**
 * Display name and hidden name to `newName`, its own links re-pointed, and the journal set (or removed when
 * `journal` is undefined). Refuses a container with an undecided journal this process did not write.
 */
function renameChange(
  c: Container,
  oldName: string,
  newName: string,
  journal: RenameJournal | undefined,
  decided: ReadonlySet<string>,
): Change {
  // a journal this process did not decide may still have links to re-point or a name to give back: settle it first
  const open = readJournal(c.vm.extraConfig)
  if (journal && open && !decided.has(open.claim)) throw new RenameInProgress(c.name)
  if (c.name !== oldName && c.name !== newName)
    throw new ContainerError('conflict', `container ${c.id} was renamed to ${c.name} meanwhile; try again`)
  const config = decodeContainer(c.vm.extraConfig)
  config.name = newName
  const self = rewriteFor(c, oldName, newName)
  if (self) applyRewrite(config, self)
  const extraConfig = withJournal(new Map(Object.entries(encodeContainer(config))), journal)
  return { name: displayName(newName, c.id), extraConfig }
}

/** `oldName:x` → `newName:x` in the container's aliases and links; undefined when it names neither. */
function repointChange(c: Container, oldName: string, newName: string): Change | undefined {
  const rewrite = rewriteFor(c, oldName, newName)
  if (!rewrite) return undefined
  const config = decodeContainer(c.vm.extraConfig)
  applyRewrite(config, rewrite)
  return { extraConfig: new Map(Object.entries(encodeContainer(config))) }
}

function applyRewrite(
  config: ReturnType<typeof decodeContainer>,
  rewrite: { networks: Record<string, string[]>; links?: string[] },
): void {
  for (const [net, aliases] of Object.entries(rewrite.networks)) {
    const endpoint = config.networks[net]
    if (endpoint) endpoint.network.aliases = aliases
  }
  if (rewrite.links) config.links = rewrite.links
}
