/**
 * Removing the journal of a decided rename without waiting for it, and without a read of its own: the reconfigure
 * is sent and the caller answered at once. The removal can only fail if the VM changed after the check read (its
 * changeVersion no longer matches), and then the store sees the VM again with the journal still on it at another
 * changeVersion: the removal is sent again from a fresh read. The next rename's check read also asks about the
 * removals still open, at no extra call, which tells success and failure for sure.
 *
 * While vSphere cannot take the removal it is sent again after a growing wait. A journal that stays after all is
 * harmless: this process counts its claim as decided until it knows the journal gone, and any other process (a
 * fence) or the next start settles it (cross-process.ts).
 */
import type { Logger } from 'pino'
import { methods, type MoRef, type TaskInfo, type VimClient } from '../../vim/index.js'
import { isTaskDone } from '../../vim/task-watcher.js'
import { applied, commit, configSpec, removedKeys } from '../commit.js'
import type { Container } from '../container.js'
import { ContainerError } from '../errors.js'
import type { ContainerStore } from '../store.js'
import type { VmState } from '../vm-state.js'
import { readJournal, withJournal } from './journal.js'

export interface SweeperDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly log: Logger
}

/** an open removal no read has told about is forgotten after this long (its claim is then treated as undecided) */
const forgetAfterMs = 10 * 60_000
/** removals sent again while vSphere cannot take them: tries, and the wait before the first and the longest */
const resendAttempts = 30
const resendFirstWaitMs = 250
const resendMaxWaitMs = 4_000

interface OpenRemoval {
  readonly claim: string
  /** the changeVersion the removal was sent against */
  readonly changeVersion: string
  readonly sentAt: number
  task?: MoRef<'Task'>
}

export class JournalSweeper {
  /** removals sent whose outcome is not known, by container ID */
  readonly #open = new Map<string, OpenRemoval>()

  /** `settled(claim)` is told when the claim's journal is known gone, or no longer watched */
  constructor(
    private readonly deps: SweeperDeps,
    private readonly settled: (claim: string) => void,
  ) {}

  /** The tasks of removals whose outcome is not known yet, for the next read to ask about. */
  tasks(): MoRef<'Task'>[] {
    return [...this.#open.values()].flatMap((r) => (r.task ? [r.task] : []))
  }

  /**
   * Sends the removal of `claim`'s journal from the VM as `vm` describes it (our own last write), against the
   * changeVersion the check read. Resolves once vSphere has the task, not when it is done.
   */
  async send(id: string, claim: string, vm: VmState, changeVersion: string, opId: string): Promise<void> {
    this.#forgetOld()
    const spec = configSpec({ ...vm, changeVersion }, { extraConfig: withJournal(vm.extraConfig, undefined) })
    if (!spec) return this.settled(claim)
    const removal: OpenRemoval = { claim, changeVersion, sentAt: Date.now() }
    this.#close(id)
    // watched before it is sent: the store may report the VM while the call is on its way
    this.#open.set(id, removal)
    const since = this.deps.store.reportsOf(vm.moref)
    try {
      removal.task = await methods.reconfigVMTask(this.deps.client.rt, vm.moref, spec, { opId })
      this.deps.store.committed(applied(vm, spec), { since, removed: removedKeys(spec) })
    } catch (err) {
      this.deps.log.warn({ opId, id, err }, 'could not send the removal of a rename journal; sending it again')
      this.#resend(id, claim)
    }
  }

  /** Outcomes a check read brought back: done removals are closed, failed ones sent again. */
  learn(infos: ReadonlyMap<string, TaskInfo>): void {
    for (const [id, removal] of this.#open) {
      const info = removal.task && infos.get(removal.task.value)
      if (!info || !isTaskDone(info)) continue
      if (info.state === 'success') this.#close(id)
      else this.#resend(id, removal.claim)
    }
  }

  /** The store's view of a container: our journal still there at another changeVersion means the removal failed. */
  observe(c: Container): void {
    const removal = this.#open.get(c.id)
    // our own writes are not what vSphere holds
    if (!removal || c.vm.stale) return
    const journal = readJournal(c.vm.extraConfig)
    if (journal?.claim === removal.claim && c.vm.changeVersion !== removal.changeVersion) this.#resend(c.id, removal.claim)
  }

  #close(id: string): void {
    const removal = this.#open.get(id)
    if (!removal) return
    this.#open.delete(id)
    this.settled(removal.claim)
  }

  #forgetOld(): void {
    const before = Date.now() - forgetAfterMs
    for (const [id, removal] of this.#open) if (removal.sentAt < before) this.#close(id)
  }

  /**
   * Removes the journal if it is still `claim`'s, reading the VM again and replaying on ConcurrentAccess; while
   * vSphere cannot take it, again after a growing wait.
   */
  #resend(id: string, claim: string, attempt = 1): void {
    if (this.#open.get(id)?.claim === claim) this.#open.delete(id)
    commit(
      this.deps,
      id,
      (c) => (readJournal(c.vm.extraConfig)?.claim === claim ? { extraConfig: withJournal(c.vm.extraConfig, undefined) } : undefined),
      'rename-sweep',
    ).then(
      () => this.settled(claim),
      (err: unknown) => {
        // the container is gone, and its journal with it
        if (ContainerError.is(err, 'not_found')) return this.settled(claim)
        if (attempt >= resendAttempts) {
          this.deps.log.warn({ id, err }, 'a rename journal stays on its VM; the next start removes it')
          return
        }
        const waitMs = Math.min(resendMaxWaitMs, resendFirstWaitMs * 2 ** (attempt - 1))
        setTimeout(() => this.#resend(id, claim, attempt + 1), waitMs).unref()
      },
    )
  }
}
