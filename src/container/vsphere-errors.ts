/**
 * How the container flows treat vSphere's failures, in one place: an unreachable vSphere (or a task that outlived
 * its wait) is `vsphere_unavailable`, which the API answers 503 with Retry-After; a call vSphere refused unrun
 * because the session had expired is sent once more. The client renews the session itself but replays only
 * idempotent calls, so changes (`*_Task`) come back as NotAuthenticated for their caller to resend.
 */
import { findFault, isFault, sameMoRef, VimClientClosed, VimTaskTimeout, VimUnreachable, type MoRef } from '../vim/index.js'
import { ContainerError } from './errors.js'

export function unavailableOr(err: unknown): unknown {
  if (!(err instanceof VimUnreachable || err instanceof VimClientClosed || err instanceof VimTaskTimeout)) return err
  const message = `vSphere cannot be reached (${err.message}); retry later`
  return new ContainerError('vsphere_unavailable', message, { cause: err })
}

/** Runs a flow that talks to vSphere, turning unreachability into `vsphere_unavailable`. */
export async function reaching<T>(flow: () => Promise<T>): Promise<T> {
  try {
    return await flow()
  } catch (err) {
    throw unavailableOr(err)
  }
}

/** Sends a change; NotAuthenticated means vSphere did not run it and the session is new again: send it once more. */
export async function resendIfRefused<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send()
  } catch (err) {
    if (!isFault(err, 'NotAuthenticated')) throw err
    return send()
  }
}

/**
 * Whether the fault says `vm` itself no longer exists. A task that vanished also comes back as
 * ManagedObjectNotFound, naming the task: the VM may be well, and the change's outcome is unknown.
 */
export function isVmGone(err: unknown, vm: MoRef<'VirtualMachine'>): boolean {
  const fault = findFault(err, 'ManagedObjectNotFound')
  const obj = fault?.fields['obj'] as MoRef | undefined
  return fault !== undefined && (obj === undefined || sameMoRef(obj, vm))
}
