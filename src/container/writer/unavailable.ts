/**
 * What a write is told while no process may write: the lease is being taken over, cannot be renewed, or its
 * writer cannot be reached. All are 503 `vsphere_unavailable` (with Retry-After): the client retries.
 */
import { ContainerError } from '../errors.js'

export function retryLaterMessage(what: string): string {
  return `${what}; retry in a few seconds (a standby takes over when the writer's lease lapses)`
}

export function noWriter(what: string): ContainerError {
  return new ContainerError('vsphere_unavailable', retryLaterMessage(what))
}
