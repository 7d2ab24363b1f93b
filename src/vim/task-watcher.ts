/**
 * One watcher for every task still running: a private PropertyCollector whose single filter reads `info` of
 * the tasks in a ListView, and one WaitForUpdatesEx loop. Enrolling a task is one ModifyListView (which also
 * drops finished tasks from the view), not a collector and a filter per task as a naive wait would cost.
 * Progress reports are lossy (a busy task's intermediate states may be skipped); the final state always arrives.
 *
 * When the server cannot do this (no ListView, no WaitForUpdatesEx) the watcher polls instead: one
 * RetrievePropertiesEx for the `info` of every pending task per interval. With nothing to watch for `idleMs`
 * the loop stops and the server-side objects are destroyed.
 */

import type { Logger } from 'pino'
import { VimTaskTimeout } from './errors.js'
import { VimFault, isFault } from './fault.js'
import {
  createFilter,
  createListView,
  createPropertyCollector,
  destroyPropertyCollector,
  destroyView,
  modifyListView,
} from './methods.js'
import { moref, type MoRef } from './moref.js'
import { retrieveProperties } from './property.js'
import type { RoundTripper } from './round-tripper.js'
import { describeError } from './logging.js'
import type { TaskInfo, UpdateSet } from './types.js'
import { viewFilterSpec } from './view.js'
import { sleep } from './sleep.js'
import { runUpdateLoop } from './wait-for-updates.js'

export interface TaskWatchOptions {
  readonly signal?: AbortSignal
  /** Give up waiting (the task keeps running on the server) after this long. */
  readonly timeoutMs?: number
  /** Called with intermediate task states (queued, running, progress %); may skip some. */
  readonly onProgress?: (info: TaskInfo) => void
}

export interface TaskWatcherOptions {
  readonly propertyCollector: MoRef<'PropertyCollector'>
  readonly viewManager: MoRef<'ViewManager'> | undefined
  readonly log: Logger
  /** 'updates' (WaitForUpdatesEx, the default) or 'poll'. */
  readonly mode?: 'updates' | 'poll'
  readonly pollIntervalMs?: number
  readonly maxWaitSeconds?: number
  readonly idleMs?: number
}

interface Waiter {
  readonly resolve: (info: TaskInfo) => void
  readonly reject: (err: unknown) => void
  readonly onProgress: ((info: TaskInfo) => void) | undefined
}

export function isTaskDone(info: TaskInfo): boolean {
  return info.state === 'success' || info.state === 'error'
}

const unsupported = (err: unknown): boolean =>
  isFault(err, 'MethodNotFound') || isFault(err, 'NotImplemented') || isFault(err, 'NotSupported')

export class TaskWatcher {
  readonly #rt: RoundTripper
  readonly #opts: Required<Omit<TaskWatcherOptions, 'viewManager'>> & { viewManager: MoRef<'ViewManager'> | undefined }
  readonly #pending = new Map<string, Waiter[]>()
  #mode: 'updates' | 'poll'
  #loop: Promise<void> | undefined
  #stop: AbortController | undefined
  #collector: MoRef<'PropertyCollector'> | undefined
  #view: MoRef<'ListView'> | undefined
  #inView = new Set<string>()
  #sync: Promise<void> = Promise.resolve()
  #idleTimer: NodeJS.Timeout | undefined
  #closed = false

  constructor(rt: RoundTripper, options: TaskWatcherOptions) {
    this.#rt = rt
    this.#opts = {
      mode: 'updates',
      pollIntervalMs: 500,
      maxWaitSeconds: 60,
      idleMs: 30_000,
      ...options,
    }
    this.#mode = options.viewManager ? this.#opts.mode : 'poll'
  }

  get mode(): 'updates' | 'poll' {
    return this.#mode
  }

  /** Tasks being waited for right now. */
  get pendingCount(): number {
    return this.#pending.size
  }

  /** Resolves with the task's final info (success or error alike); the caller turns an error into a fault. */
  watch(task: MoRef<'Task'>, options: TaskWatchOptions = {}): Promise<TaskInfo> {
    return new Promise<TaskInfo>((resolve, reject) => {
      options.signal?.throwIfAborted()
      let timer: NodeJS.Timeout | undefined
      const cleanup = (): void => {
        if (timer) clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
        this.#removeWaiter(task.value, waiter)
      }
      const waiter: Waiter = {
        resolve: (info) => {
          cleanup()
          resolve(info)
        },
        reject: (err) => {
          cleanup()
          reject(err)
        },
        onProgress: options.onProgress,
      }
      const onAbort = (): void => waiter.reject(options.signal?.reason)
      options.signal?.addEventListener('abort', onAbort, { once: true })
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => waiter.reject(new VimTaskTimeout(task, options.timeoutMs ?? 0)), options.timeoutMs)
      }
      const waiters = this.#pending.get(task.value)
      if (waiters) waiters.push(waiter)
      else this.#pending.set(task.value, [waiter])
      this.#enrolled()
    })
  }

  #removeWaiter(key: string, waiter: Waiter): void {
    const waiters = this.#pending.get(key)
    if (!waiters) return
    const rest = waiters.filter((w) => w !== waiter)
    if (rest.length > 0) this.#pending.set(key, rest)
    else this.#pending.delete(key)
    if (this.#pending.size === 0) this.#scheduleIdleStop()
  }

  /** Delivers a task's state to its waiters: final states settle them, others are progress. */
  deliver(info: TaskInfo): void {
    const waiters = this.#pending.get(info.task.value)
    if (!waiters) return
    if (isTaskDone(info)) {
      for (const w of [...waiters]) w.resolve(info)
    } else {
      for (const w of waiters) {
        try {
          w.onProgress?.(info)
        } catch (err) {
          // one caller's progress callback must not stop the watch of every task
          this.#opts.log.warn({ err: describeError(err), task: info.task.value }, 'task progress callback failed')
        }
      }
    }
  }

  #enrolled(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer)
    this.#idleTimer = undefined
    if (!this.#loop) {
      this.#stop = new AbortController()
      const signal = this.#stop.signal
      this.#loop = this.#run(signal)
        .catch((err: unknown) => this.#failAll(err))
        .finally(() => {
          this.#loop = undefined
          // a task enrolled while an idle loop was shutting down starts a new one
          if (this.#pending.size > 0 && !this.#closed) this.#enrolled()
        })
    } else if (this.#mode === 'updates') {
      this.#scheduleSync()
    }
    // in poll mode a new task waits for the next round: it was read just before it was enrolled
  }

  async #run(signal: AbortSignal): Promise<void> {
    // tasks enrolled in the same tick share the first read
    await Promise.resolve()
    if (this.#mode === 'updates') {
      try {
        await runUpdateLoop(this.#rt, {
          setup: () => this.#setup(),
          onUpdate: (updates) => this.#onUpdate(updates),
          maxWaitSeconds: this.#opts.maxWaitSeconds,
          signal,
          log: this.#opts.log,
          isFatal: unsupported,
        })
        await this.#teardown()
        return
      } catch (err) {
        if (!unsupported(err)) throw err
        this.#opts.log.info({ err: describeError(err) }, 'server cannot watch tasks through updates; polling instead')
        this.#mode = 'poll'
        await this.#teardown()
      }
    }
    await this.#poll(signal)
  }

  async #setup(): Promise<MoRef<'PropertyCollector'>> {
    const viewManager = this.#opts.viewManager
    if (!viewManager) throw new VimFault('NotSupported', 'the server has no ViewManager')
    const tasks = [...this.#pending.keys()].map((value) => moref('Task', value))
    const collector = await createPropertyCollector(this.#rt, this.#opts.propertyCollector, { opId: 'task-watcher' })
    const view = await createListView(this.#rt, viewManager, tasks, { opId: 'task-watcher' })
    this.#collector = collector
    this.#view = view
    this.#inView = new Set(tasks.map((t) => t.value))
    await createFilter(this.#rt, collector, viewFilterSpec(view, 'ListView', 'Task', ['info']), false, {
      opId: 'task-watcher',
    })
    // tasks enrolled while this ran
    this.#scheduleSync()
    return collector
  }

  #scheduleSync(): void {
    this.#sync = this.#sync.then(() => this.#syncView()).catch((err: unknown) => {
      this.#opts.log.warn({ err: describeError(err) }, 'could not update the watched task list')
    })
  }

  /** One ModifyListView: add newly enrolled tasks, drop the ones nobody waits for any more. */
  async #syncView(): Promise<void> {
    const view = this.#view
    if (!view) return
    const add = [...this.#pending.keys()].filter((k) => !this.#inView.has(k))
    const remove = [...this.#inView].filter((k) => !this.#pending.has(k))
    if (add.length === 0 && remove.length === 0) return
    const notFound = await modifyListView(
      this.#rt,
      view,
      add.map((v) => moref('Task', v)),
      remove.map((v) => moref('Task', v)),
      { opId: 'task-watcher' },
    )
    for (const k of remove) this.#inView.delete(k)
    for (const k of add) this.#inView.add(k)
    for (const gone of notFound) {
      this.#inView.delete(gone.value)
      for (const w of [...(this.#pending.get(gone.value) ?? [])]) {
        w.reject(new VimFault('ManagedObjectNotFound', `task ${gone.value} no longer exists`, { obj: gone }))
      }
    }
  }

  #onUpdate(updates: UpdateSet): void {
    for (const filter of updates.filterSet) {
      for (const object of filter.objectSet) {
        if (object.kind === 'leave') continue
        for (const change of object.changeSet) {
          if (change.name === 'info' && change.val) this.deliver(change.val as TaskInfo)
        }
      }
    }
  }

  async #poll(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.#pending.size > 0) {
      const tasks = [...this.#pending.keys()].map((value) => moref('Task', value))
      try {
        const infos = await retrieveProperties<{ info: TaskInfo }>(this.#rt, this.#opts.propertyCollector, tasks, ['info'], {
          opId: 'task-watcher',
          signal,
        })
        for (const { props } of infos) if (props.info) this.deliver(props.info)
      } catch (err) {
        if (signal.aborted) return
        if (isFault(err, 'ManagedObjectNotFound')) {
          await this.#pollEach(tasks)
        } else {
          this.#opts.log.warn({ err: describeError(err) }, 'polling tasks failed; trying again')
        }
      }
      if (this.#pending.size === 0) return
      await sleep(this.#opts.pollIntervalMs, signal)
    }
  }

  /** One task vanished from a batch read: find which, fail its waiters, keep the others. */
  async #pollEach(tasks: MoRef<'Task'>[]): Promise<void> {
    for (const task of tasks) {
      try {
        const [content] = await retrieveProperties<{ info: TaskInfo }>(this.#rt, this.#opts.propertyCollector, [task], ['info'])
        if (content?.props.info) this.deliver(content.props.info)
      } catch (err) {
        for (const w of [...(this.#pending.get(task.value) ?? [])]) w.reject(err)
      }
    }
  }

  #scheduleIdleStop(): void {
    if (this.#idleTimer || !this.#loop) return
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined
      if (this.#pending.size === 0) this.#stop?.abort()
    }, this.#opts.idleMs)
    this.#idleTimer.unref()
  }

  async #teardown(): Promise<void> {
    const view = this.#view
    const collector = this.#collector
    this.#view = undefined
    this.#collector = undefined
    this.#inView = new Set()
    // destroying the collector destroys its filter; both are gone anyway if the session ended
    if (view) await destroyView(this.#rt, view, { opId: 'task-watcher', timeoutMs: 5_000 }).catch(() => undefined)
    if (collector) {
      await destroyPropertyCollector(this.#rt, collector, { opId: 'task-watcher', timeoutMs: 5_000 }).catch(() => undefined)
    }
  }

  #failAll(err: unknown): void {
    this.#opts.log.warn({ err: describeError(err) }, 'task watcher stopped')
    for (const waiters of [...this.#pending.values()]) for (const w of [...waiters]) w.reject(err)
  }

  /** Stops watching; pending waits fail with `reason`. */
  async close(reason: unknown = new Error('the task watcher was closed')): Promise<void> {
    this.#closed = true
    if (this.#idleTimer) clearTimeout(this.#idleTimer)
    for (const waiters of [...this.#pending.values()]) for (const w of [...waiters]) w.reject(reason)
    this.#stop?.abort()
    await this.#loop
  }
}
