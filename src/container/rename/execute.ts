/**
 * Carrying out a rename plan (plan.ts) against vSphere, safely.
 *
 * - One reconfigure renames the VM: display name and hidden `common/name` together, with changeVersion. When other
 *   containers link to the old name, the same reconfigure writes the journal (journal.ts) naming them.
 * - Each linked container is then re-pointed (`old:x` → `new:x`) by its own reconfigure, and the journal cleared.
 * - A step that fails for good undoes what was done, in reverse, and the caller gets the error; a crash leaves the
 *   journal, which `recover` (run before serving) rolls forward.
 * - In one process, the renamed and linked containers are locked for the duration and the new name is reserved,
 *   so concurrent renames never hand one name to two containers and never lose an update; ConcurrentAccess from
 *   outside is re-read and replayed by the commit.
 * - Across processes: not yet guarded; see the issue tracker.
 */
import type { Logger } from 'pino'
import { decodeContainer, encodeContainer } from '../../extraconfig/index.js'
import type { VimClient } from '../../vim/index.js'
import { commit, type Change } from '../commit.js'
import type { Container } from '../container.js'
import { ContainerError } from '../errors.js'
import type { ContainerEvents } from '../events.js'
import { KeyedLock } from '../keyed-lock.js'
import { displayName } from '../naming.js'
import type { ContainerStore } from '../store.js'
import type { OpContext } from '../types.js'
import { formatJournal, journalKey, readJournal } from './journal.js'
import { planRename, rewriteFor, type RenamePlan } from './plan.js'

export interface RenameDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly log: Logger
}

const planAttempts = 5

export class RenameExecutor {
  readonly #locks = new KeyedLock()

  constructor(
    private readonly deps: RenameDeps,
    private readonly events: ContainerEvents,
  ) {}

  async run(ref: string, newName: string, op: OpContext): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const draft = planRename(this.deps.store.index, ref, newName)
      const locked = new Set([draft.id, ...draft.linked.map((l) => l.id)])
      const done = await this.#locks.run([...locked], async () => {
        // the world may have moved while we waited for the locks: plan again, inside them
        const plan = planRename(this.deps.store.index, ref, newName)
        if (plan.id !== draft.id || plan.linked.some((l) => !locked.has(l.id))) return false
        const release = this.deps.store.reserveName(newName, plan.id)
        try {
          await this.#execute(plan, op)
        } finally {
          release()
        }
        return true
      })
      if (done) return
      if (attempt >= planAttempts)
        throw new ContainerError('conflict', `containers linked to ${ref} kept changing during the rename; try again`)
    }
  }

  async #execute(plan: RenamePlan, op: OpContext): Promise<void> {
    const { log } = this.deps
    const journal = plan.linked.length > 0 ? formatJournal({ ...plan, linked: plan.linked.map((l) => l.id) }) : undefined
    await commit(this.deps, plan.id, (c) => renameChange(c, plan.oldName, plan.newName, journal), op.opId)
    const done: string[] = []
    try {
      for (const linked of plan.linked) {
        await commit(this.deps, linked.id, (c) => repointChange(c, plan.oldName, plan.newName), op.opId)
        done.push(linked.id)
      }
      if (journal) await commit(this.deps, plan.id, (c) => withoutJournal(c), op.opId)
    } catch (err) {
      log.warn({ opId: op.opId, id: plan.id, err }, 'rename failed part way; undoing it')
      await this.#undo(plan, done, op)
      throw err
    }
    log.info({ opId: op.opId, id: plan.id, oldName: plan.oldName, name: plan.newName, linked: done.length }, 'renamed')
    this.events.emit({ type: 'rename', id: plan.id, name: plan.newName, oldName: plan.oldName })
  }

  /** Puts back the links already re-pointed, then the old name; what cannot be undone is left to the journal. */
  async #undo(plan: RenamePlan, done: readonly string[], op: OpContext): Promise<void> {
    try {
      for (const id of [...done].reverse())
        await commit(this.deps, id, (c) => repointChange(c, plan.newName, plan.oldName), op.opId)
      await commit(this.deps, plan.id, (c) => renameChange(c, plan.newName, plan.oldName, undefined), op.opId)
    } catch (err) {
      this.deps.log.error({ opId: op.opId, id: plan.id, err }, 'could not undo a failed rename; its journal will finish it')
    }
  }

  /** Finishes every rename a dead process left half done (its journal is still on the renamed VM). */
  async recover(op: OpContext): Promise<number> {
    let finished = 0
    for (const c of this.deps.store.list()) {
      const journal = readJournal(c.vm.extraConfig)
      if (!journal) continue
      await this.#locks.run([c.id, ...journal.linked], async () => {
        for (const id of journal.linked) {
          if (!this.deps.store.index.get(id)) continue
          await commit(this.deps, id, (l) => repointChange(l, journal.oldName, journal.newName), op.opId)
        }
        await commit(this.deps, c.id, (r) => withoutJournal(r), op.opId)
      })
      this.deps.log.info({ id: c.id, oldName: journal.oldName, name: journal.newName }, 'finished an interrupted rename')
      finished++
    }
    return finished
  }
}

/** Display name and hidden name to `newName`, its own links re-pointed, and the journal set or removed. */
function renameChange(c: Container, oldName: string, newName: string, journal: string | undefined): Change {
  if (c.name !== oldName && c.name !== newName)
    throw new ContainerError('conflict', `container ${c.id} was renamed to ${c.name} meanwhile; try again`)
  const config = decodeContainer(c.vm.extraConfig)
  config.name = newName
  const self = rewriteFor(c, oldName, newName)
  if (self) applyRewrite(config, self)
  const extraConfig = new Map(Object.entries(encodeContainer(config)))
  if (journal) extraConfig.set(journalKey, journal)
  else extraConfig.delete(journalKey)
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

function withoutJournal(c: Container): Change | undefined {
  if (!c.vm.extraConfig.has(journalKey)) return undefined
  const extraConfig = new Map(c.vm.extraConfig)
  extraConfig.delete(journalKey)
  return { extraConfig }
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
