/**
 * Retrying what is known to be safe to retry, with p-retry and small explicit bounds (its defaults can wait for
 * minutes). Two cases:
 * - a transient fault (the object is busy with another task, the host is briefly unreachable from vCenter): the
 *   server refused the call, nothing ran, so any call may be sent again;
 * - a lost connection: the outcome is unknown, so only idempotent calls are sent again. A `*_Task` creation is
 *   never replayed after a reset, since the first one may have started.
 * Everything else fails at once. VIC's task waiter uses the same transient list.
 */

import pRetry from 'p-retry'
import { VimUnreachable } from './errors.js'
import { VimFault, isFault } from './fault.js'
import type { CallOptions, MethodSpec, RoundTripper } from './round-tripper.js'
import { sleep } from './sleep.js'

export const transientFaults = [
  'TaskInProgress',
  'HostCommunication',
  'NetworkDisruptedAndConfigRolledBack',
  'FailToLockFaultToleranceVMs',
] as const

export interface RetryPolicy {
  readonly retries: number
  readonly minTimeoutMs: number
  readonly maxTimeoutMs: number
}

export const defaultRetryPolicy: RetryPolicy = { retries: 3, minTimeoutMs: 100, maxTimeoutMs: 2_000 }

export function isTransientFault(err: unknown): boolean {
  return VimFault.is(err) && transientFaults.some((t) => isFault(err, t))
}

/** Whether a failed call may be sent again: a transient refusal, or a lost connection on an idempotent call. */
export function isRetryable(err: unknown, idempotent: boolean): boolean {
  if (isTransientFault(err)) return true
  if (!(err instanceof VimUnreachable)) return false
  // a refused connection never carried the request; a reset or timeout may have
  if (err.reason === 'refused') return true
  return idempotent && (err.reason === 'reset' || err.reason === 'timeout')
}

/** Runs `attempt` again while it fails with a retryable error, within `policy`. */
export function withRetry<T>(
  attempt: () => Promise<T>,
  retryable: (err: unknown) => boolean,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  return pRetry(attempt, {
    retries: policy.retries,
    minTimeout: policy.minTimeoutMs,
    maxTimeout: policy.maxTimeoutMs,
    factor: 2,
    randomize: true,
    ...(signal ? { signal } : {}),
    shouldRetry: ({ error }) => retryable(error),
  })
}

export class RetryingRoundTripper implements RoundTripper {
  constructor(
    private readonly inner: RoundTripper,
    private readonly policy: RetryPolicy = defaultRetryPolicy,
  ) {}

  async roundTrip<A, R>(method: MethodSpec<A, R>, args: A, options?: CallOptions): Promise<R> {
    // the first attempt goes straight through: p-retry's bookkeeping is paid only by calls that failed
    try {
      return await this.inner.roundTrip(method, args, options)
    } catch (err) {
      if (this.policy.retries <= 0 || !isRetryable(err, method.idempotent) || options?.signal?.aborted) throw err
    }
    await sleep(this.policy.minTimeoutMs, options?.signal)
    return withRetry(
      () => this.inner.roundTrip(method, args, options),
      (err) => isRetryable(err, method.idempotent),
      { ...this.policy, retries: this.policy.retries - 1 },
      options?.signal,
    )
  }
}
