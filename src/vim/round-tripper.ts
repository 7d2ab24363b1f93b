/**
 * The one interface every layer of the client implements and wraps, as govmomi's `soap.RoundTripper`: a typed
 * vim25 call in, its decoded result out. The SOAP transport is the innermost implementation; the session (login,
 * re-login, keepalive) and retry layers wrap it, so each cross-cutting concern lives in one file.
 */

import type { Field } from './schema/registry.js'

export interface CallOptions {
  /** Becomes the SOAP `operationID` header, which vCenter writes to its logs as the opID. */
  readonly opId?: string
  readonly signal?: AbortSignal
  /** Overrides the client's per-call timeout. */
  readonly timeoutMs?: number
  /**
   * Sent at once, outside the client's concurrency bound: for the few calls that must not wait behind the
   * service's own (a lease renewal, whose time runs while it waits).
   */
  readonly urgent?: boolean
}

/** A vim25 method: its parameters in WSDL order, its return type, and what the layers may do with it. */
export interface MethodSpec<A, R> {
  readonly name: string
  readonly params: readonly Field[]
  readonly returns: Field | undefined
  /** Safe to send again when the outcome of a first attempt is unknown (a reset connection). */
  readonly idempotent: boolean
  /**
   * Creates an object that belongs to the session (a view, a collector, a filter). Such a call is sent again
   * after a re-login: whatever the lost session held died with it, so nothing can be made twice.
   */
  readonly sessionScoped: boolean
  /** Blocks on the server (WaitForUpdatesEx): not counted against the concurrency bound. */
  readonly longPoll: boolean
  /** Changes what vSphere holds (a VM, a file): a client that guards writes checks before sending it. */
  readonly writes: boolean
  /** Type carriers only; never set. */
  readonly _args?: A
  readonly _result?: R
}

export interface RoundTripper {
  roundTrip<A, R>(method: MethodSpec<A, R>, args: A, options?: CallOptions): Promise<R>
}
