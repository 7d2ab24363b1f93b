/**
 * A WaitForUpdatesEx loop on a private PropertyCollector: it tracks the update version, delivers each update
 * set, and keeps going across the things that end a wait: the server's maxWaitSeconds (an empty answer),
 * a version the collector no longer knows (start over from ""), and a lost collector: collectors and filters
 * belong to the session, so after a re-login the old one is gone and `setup` is called to build it again.
 * Aborting the signal ends the loop and cancels the wait on the server; a failure the caller calls fatal (the
 * server cannot do this at all) ends it with that error.
 */

import type { Logger } from 'pino'
import { VimClientClosed } from './errors.js'
import { isFault } from './fault.js'
import { cancelWaitForUpdates, waitForUpdatesEx } from './methods.js'
import type { MoRef } from './moref.js'
import type { RoundTripper } from './round-tripper.js'
import { describeError } from './logging.js'
import { sleep } from './sleep.js'
import type { UpdateSet } from './types.js'

export interface UpdateLoopOptions {
  /** Creates the collector and its filters; called first and again whenever the collector is lost. */
  readonly setup: () => Promise<MoRef<'PropertyCollector'>>
  /** Receives each non-empty update set, in order. */
  readonly onUpdate: (updates: UpdateSet) => void
  /** Server-side bound of each wait; a function is asked before each one (e.g. shorter while a change is due). */
  readonly maxWaitSeconds: number | (() => number)
  readonly signal: AbortSignal
  readonly log: Logger
  /** Pause after an unexpected failure before trying again. */
  readonly backoffMs?: number
  /** Failures that end the loop (thrown to the caller) instead of being retried. */
  readonly isFatal?: (err: unknown) => boolean
}

export async function runUpdateLoop(rt: RoundTripper, options: UpdateLoopOptions): Promise<void> {
  const { signal, log } = options
  const backoffMs = options.backoffMs ?? 1_000
  let collector: MoRef<'PropertyCollector'> | undefined
  let version = ''
  while (!signal.aborted) {
    let updates: UpdateSet | undefined
    try {
      if (!collector) {
        collector = await options.setup()
        version = ''
      }
      const maxWaitSeconds = typeof options.maxWaitSeconds === 'number' ? options.maxWaitSeconds : options.maxWaitSeconds()
      updates = await waitForUpdatesEx(
        rt,
        collector,
        version,
        { maxWaitSeconds },
        { signal, timeoutMs: (maxWaitSeconds + 30) * 1_000, opId: 'wait-for-updates' },
      )
    } catch (err) {
      if (signal.aborted || err instanceof VimClientClosed) break
      if (options.isFatal?.(err)) throw err
      if (isFault(err, 'InvalidCollectorVersion')) {
        version = ''
      } else if (isFault(err, 'ManagedObjectNotFound') || isFault(err, 'NotAuthenticated')) {
        log.info({ err: describeError(err) }, 'property collector lost; building it again')
        collector = undefined
      } else {
        log.warn({ err: describeError(err) }, 'WaitForUpdatesEx failed; trying again')
        await sleep(backoffMs, signal)
      }
      continue
    }
    // outside the try: a failing consumer ends the loop with its own error
    if (updates) {
      version = updates.version
      options.onUpdate(updates)
    }
  }
  if (collector) {
    await cancelWaitForUpdates(rt, collector, { opId: 'wait-for-updates', timeoutMs: 5_000 }).catch(() => undefined)
  }
}
