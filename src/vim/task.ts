/**
 * Issuing a vSphere task and waiting for its outcome within a small SOAP budget: the task call, then one read of
 * `info`; only a task still running after that read is handed to the shared watcher. A task that fails is
 * thrown as its fault (the LocalizedMethodFault of `info.error`, unwrapped), carrying the task reference.
 *
 * `runTask` issues the task again only when it failed with a transient fault (the object was busy with another
 * task, the host was briefly unreachable): such a task did nothing, so a new one is not a blind replay.
 */

import { VimFault } from './fault.js'
import type { MoRef } from './moref.js'
import { retrieveProperties } from './property.js'
import { defaultRetryPolicy, isTransientFault, withRetry, type RetryPolicy } from './retry.js'
import type { CallOptions, RoundTripper } from './round-tripper.js'
import { sleep } from './sleep.js'
import { isTaskDone, type TaskWatcher, type TaskWatchOptions } from './task-watcher.js'
import type { TaskInfo } from './types.js'

export interface TaskOptions extends TaskWatchOptions, Pick<CallOptions, 'opId'> {
  /** Retries of a task that failed with a transient fault (runTask only); 0 turns them off. */
  readonly transientRetries?: number
}

export interface TaskContext {
  readonly rt: RoundTripper
  readonly propertyCollector: MoRef<'PropertyCollector'>
  readonly watcher: TaskWatcher
  readonly retryPolicy?: RetryPolicy
}

/** The task's `info`, read once. */
export async function readTaskInfo(ctx: TaskContext, task: MoRef<'Task'>, options: CallOptions = {}): Promise<TaskInfo> {
  const [content] = await retrieveProperties<{ info: TaskInfo }>(ctx.rt, ctx.propertyCollector, [task], ['info'], options)
  const info = content?.props.info
  if (!info) {
    throw content?.missing['info'] ?? new VimFault('ManagedObjectNotFound', `task ${task.value} has no info`, { obj: task })
  }
  return info
}

/** The task's result on success; its fault, thrown, on error. */
export function taskOutcome(info: TaskInfo): unknown {
  if (info.state === 'success') return info.result
  if (info.error) throw VimFault.fromLocalized(info.error, info.task)
  const message = `task ${info.task.value} ended in state ${info.state} without an error`
  throw new VimFault('SystemError', message, {}, { task: info.task })
}

/** Waits for a task already issued: one read, then the watcher if it is still running. */
export async function waitForTask(ctx: TaskContext, task: MoRef<'Task'>, options: TaskOptions = {}): Promise<unknown> {
  const call: CallOptions = {
    ...(options.opId ? { opId: options.opId } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  }
  let info = await readTaskInfo(ctx, task, call)
  if (!isTaskDone(info)) {
    options.onProgress?.(info)
    info = await ctx.watcher.watch(task, options)
  }
  return taskOutcome(info)
}

/** Issues a task with `start` and waits for it; a task failing with a transient fault is issued again. */
export function runTask<T = unknown>(
  ctx: TaskContext,
  start: () => Promise<MoRef<'Task'>>,
  options: TaskOptions = {},
): Promise<T> {
  const attempt = async (): Promise<T> => (await waitForTask(ctx, await start(), options)) as T
  const policy = ctx.retryPolicy ?? defaultRetryPolicy
  const retries = options.transientRetries ?? policy.retries
  if (retries <= 0) return attempt()
  return withFirstAttemptDirect(attempt, { ...policy, retries }, options.signal)
}

// only a fault read from the task's own info counts here: that task ran and was refused
const failedTask = (err: unknown): boolean => VimFault.is(err) && err.task !== undefined && isTransientFault(err)

/**
 * The retry schedule of `withRetry`, with the first attempt made directly: p-retry's bookkeeping (an options
 * object, a frozen context per failure, several awaits) is then paid only by tasks that failed. The first
 * pause is drawn as p-retry draws it, and the rest start from the doubled base, so the waits are the same.
 */
async function withFirstAttemptDirect<T>(attempt: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  signal?.throwIfAborted()
  try {
    const result = await attempt()
    signal?.throwIfAborted()
    return result
  } catch (err) {
    if (!failedTask(err) || signal?.aborted) throw err
  }
  await sleep(Math.min(policy.minTimeoutMs * (1 + Math.random()), policy.maxTimeoutMs), signal)
  const rest = { ...policy, minTimeoutMs: policy.minTimeoutMs * 2, retries: policy.retries - 1 }
  return withRetry(attempt, failedTask, rest, signal)
}
