/**
 * Carrying out a rename plan (plan.ts) against vSphere. This process is the namespace's only writer (writer/), so
 * the name is decided in memory: reserved in the store, with the container and every linked one locked.
 *
 * - Unlinked: one reconfigure gives the VM its new display name and hidden `common/name` together, with
 *   changeVersion: two SOAP calls with its outcome.
 * - Linked: the same reconfigure also writes a journal (journal.ts) naming the containers whose links must follow;
 *   each of them is then re-pointed (`old:x` → `new:x`) by its own reconfigure, and the journal removed. A step that
 *   fails for good undoes what was done, in reverse, and the caller gets the error; a crash leaves the journal,
 *   which `recover` (run by a writer before it serves) settles: rolled forward when the new name is still free,
 *   back when another container holds it.
 * - A step whose connection is lost is tried again from a fresh read (its call may have been applied).
 *   ConcurrentAccess (a write from outside portlayer) makes a commit read the VM again and replay (commit.ts).
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { decodeContainer, encodeContainer } from '../../extraconfig/index.js'
import { VimUnreachable, type VimClient } from '../../vim/index.js'
import { commit, type Change } from '../commit.js'
import type { Container } from '../container.js'
import { ContainerError } from '../errors.js'
import { KeyedLock } from '../keyed-lock.js'
import { displayName } from '../naming.js'
import type { ContainerStore } from '../store.js'
import type { OpContext } from '../types.js'
import { readJournal, withJournal, type RenameJournal } from './journal.js'
import { planRename, rewriteFor, type RenamePlan } from './plan.js'

export interface RenameDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly log: Logger
}

/** plans made again because the containers involved changed while we waited for their locks */
const planAttempts = 5
/** tries of one step across lost connections (a reset, a timeout), and the wait before the next, times the try */
const reachAttempts = 5
const reachWaitMs = 100
/** background settling of a journal a rename had to leave: tries, and the wait before the first and the longest */
const settleLaterAttempts = 30
const settleLaterFirstWaitMs = 250
const settleLaterMaxWaitMs = 4_000

type Settled = 'forward' | 'back' | 'none'

export class RenameExecutor {
  readonly #locks = new KeyedLock()

  constructor(private readonly deps: RenameDeps) {}

  async run(ref: string, newName: string, op: OpContext): Promise<void> {
    const { store } = this.deps
    for (let attempt = 1; ; attempt++) {
      const draft = await this.#plan(ref, newName, op)
      const outcome = await this.#locks.run([draft.id, ...draft.linked.map((l) => l.id)], async () => {
        // the world may have moved while we waited for the locks: plan again, inside them
        const plan = planRename(store.index, ref, newName)
        if (plan.id !== draft.id || plan.linked.some((l) => !draft.linked.some((d) => d.id === l.id))) return 'replan'
        // a journal a crash left (settled before serving, or by a write from outside since): settle it first
        if (readJournal(store.get(plan.id).vm.extraConfig)) {
          await this.#settleLocked(plan.id, op)
          return 'replan'
        }
        const releaseNew = store.names.reserve(plan.newName, plan.id)
        // the old name stays this container's until the rename is done: it may have to go back to it
        const releaseOld = store.names.reserve(plan.oldName, plan.id)
        try {
          await this.#execute(plan, op)
          return 'done'
        } finally {
          releaseOld()
          releaseNew()
        }
      })
      if (outcome === 'done') return
      if (attempt >= planAttempts)
        throw new ContainerError('conflict', `containers linked to ${ref} kept changing during the rename; try again`)
    }
  }

  /**
   * The plan, or the refusal. A refusal that rests on the cache (the container already has the name, another holds
   * it) is checked against vSphere first: someone may have renamed either VM outside portlayer since the store
   * last heard of it.
   */
  async #plan(ref: string, newName: string, op: OpContext): Promise<RenamePlan> {
    const { store } = this.deps
    try {
      return planRename(store.index, ref, newName)
    } catch (err) {
      if (!ContainerError.is(err, 'same_name') && !ContainerError.is(err, 'name_conflict')) throw err
      for (const c of [store.index.resolve(ref), store.index.named(newName)]) if (c) await store.fresh(c.vm.moref, op.opId)
      return planRename(store.index, ref, newName)
    }
  }

  /** Settles every rename a dead writer left open (its journal is still on the renamed VM). */
  async recover(op: OpContext): Promise<number> {
    let settled = 0
    for (const c of this.deps.store.list()) {
      if (!readJournal(c.vm.extraConfig)) continue
      const linked = readJournal(c.vm.extraConfig)?.linked ?? []
      if ((await this.#locks.run([c.id, ...linked], () => this.#settleLocked(c.id, op))) !== 'none') settled++
    }
    return settled
  }

  async #execute(plan: RenamePlan, op: OpContext): Promise<void> {
    const { log } = this.deps
    if (plan.linked.length === 0) {
      await this.#reaching([plan.id], () => commit(this.deps, plan.id, (c) => renameChange(c, plan.oldName, plan.newName), op.opId), op)
      log.info({ opId: op.opId, id: plan.id, oldName: plan.oldName, name: plan.newName }, 'renamed')
      return
    }
    const journal: RenameJournal = {
      oldName: plan.oldName,
      newName: plan.newName,
      linked: plan.linked.map((l) => l.id),
      claim: randomBytes(8).toString('hex'),
      state: 'pending',
    }
    await this.#reaching(
      [plan.id],
      () => commit(this.deps, plan.id, (c) => renameChange(c, plan.oldName, plan.newName, journal), op.opId),
      op,
    )
    const done: string[] = []
    try {
      for (const linked of plan.linked) {
        // a step whose answer was lost may have been applied: it counts as done, so an undo reads and reverts it
        done.push(linked.id)
        try {
          await this.#reaching([linked.id], () => commit(this.deps, linked.id, (c) => repointChange(c, plan.oldName, plan.newName), op.opId), op)
        } catch (err) {
          // removed meanwhile: it has no links left to re-point
          if (!ContainerError.is(err, 'not_found')) throw err
          done.pop()
        }
      }
      await this.#reaching([plan.id], () => commit(this.deps, plan.id, (c) => withoutJournal(c, journal.claim), op.opId), op)
    } catch (err) {
      log.warn({ opId: op.opId, id: plan.id, err }, 'rename failed part way; undoing it')
      try {
        await this.#undoLinks(done, plan.newName, plan.oldName, op)
        await this.#reaching([plan.id], () => commit(this.deps, plan.id, (c) => renameChange(c, plan.newName, plan.oldName, null), op.opId), op, true)
      } catch (undoing) {
        // the journal names every linked container: settling it later finishes or undoes the whole rename
        log.error({ opId: op.opId, id: plan.id, err: undoing }, 'cannot undo a rename that failed part way yet')
        this.#settleLater(plan.id, journal.linked)
      }
      throw err
    }
    log.info({ opId: op.opId, id: plan.id, oldName: plan.oldName, name: plan.newName, linked: done.length }, 'renamed')
  }

  /**
   * Settles a journal a rename had to leave open (vSphere could not be reached to undo it) in the background,
   * trying again with a growing wait, so a live writer does not wait for the next takeover to close it.
   */
  #settleLater(id: string, linked: readonly string[], attempt = 1): void {
    const waitMs = Math.min(settleLaterMaxWaitMs, settleLaterFirstWaitMs * 2 ** (attempt - 1))
    setTimeout(() => {
      const op = { opId: `rename-settle-${id.slice(0, 12)}` }
      this.#locks.run([id, ...linked], () => this.#settleLocked(id, op)).catch((err: unknown) => {
        if (attempt < settleLaterAttempts) return this.#settleLater(id, linked, attempt + 1)
        this.deps.log.error({ id, err }, 'a rename journal stays on its VM; the next writer settles it')
      })
    }, waitMs).unref()
  }

  /**
   * Drives an open journal to its end, with the container and its linked ones locked: forward (links re-pointed,
   * the new name kept, journal removed) when no other container holds the new name; back (links and name
   * restored) when one does. Every step is idempotent, so a settle that is itself cut short can run again.
   */
  async #settleLocked(id: string, op: OpContext): Promise<Settled> {
    const { store, log } = this.deps
    const current = store.index.get(id)
    const c = current && (await store.fresh(current.vm.moref, op.opId))
    const journal = c && readJournal(c.vm.extraConfig)
    if (!c || !journal) return 'none'
    // another container with the new name (given outside portlayer, or by a writer that lost track) keeps it
    const holder = store.list().find((other) => other.id !== id && other.name === journal.newName)
    if (holder && journal.oldName !== '') {
      await this.#undoLinks(journal.linked, journal.newName, journal.oldName, op)
      await commit(this.deps, id, (r) => renameChange(r, journal.newName, journal.oldName, null), op.opId)
      log.info({ opId: op.opId, id, oldName: journal.oldName, name: journal.newName }, 'undid an interrupted rename')
      return 'back'
    }
    for (const linked of journal.linked) {
      try {
        await commit(this.deps, linked, (l) => repointChange(l, journal.oldName, journal.newName), op.opId)
      } catch (err) {
        if (!ContainerError.is(err, 'not_found')) throw err
      }
    }
    await commit(this.deps, id, (r) => withoutJournal(r, journal.claim), op.opId)
    log.info({ opId: op.opId, id, oldName: journal.oldName, name: journal.newName }, 'finished an interrupted rename')
    return 'forward'
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
}

/**
 * Display name and hidden name to `newName`, its own links re-pointed, and the journal: written (`journal`),
 * removed (null) or left as it is (undefined). Nothing when the VM already is so (a replay after a lost answer).
 */
function renameChange(c: Container, oldName: string, newName: string, journal?: RenameJournal | null): Change | undefined {
  const open = readJournal(c.vm.extraConfig)
  const wanted = journal === undefined ? open : (journal ?? undefined)
  if (c.name === newName && open?.claim === wanted?.claim) return undefined
  if (c.name !== oldName && c.name !== newName)
    throw new ContainerError('conflict', `container ${c.id} was renamed to ${c.name} meanwhile; try again`)
  const config = decodeContainer(c.vm.extraConfig)
  config.name = newName
  const self = rewriteFor(c, oldName, newName)
  if (self) applyRewrite(config, self)
  // the codec keeps the keys it does not model, the journal among them
  const encoded = new Map(Object.entries(encodeContainer(config)))
  return { name: displayName(newName, c.id), extraConfig: journal === undefined ? encoded : withJournal(encoded, wanted) }
}

/** The journal removed, if it is still the one `claim` wrote. */
function withoutJournal(c: Container, claim: string): Change | undefined {
  return readJournal(c.vm.extraConfig)?.claim === claim ? { extraConfig: withJournal(c.vm.extraConfig, undefined) } : undefined
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
