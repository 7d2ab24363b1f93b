/**
 * The writer lease's record: who writes to the namespace, where its REST API answers, and for how long a renewal
 * holds. It lives in one hidden ExtraConfig key of the lease VM (lease.ts) as JSON; pure, so it is tested alone.
 */
import { hiddenKey } from '../../extraconfig/index.js'

export const leaseKey = hiddenKey('portlayer', 'writer')

export interface LeaseRecord {
  /** the holding process, a random ID it drew at start; '' when the last writer let the lease go */
  readonly holder: string
  /** base URL of the holder's REST API, where standbys forward writes */
  readonly address: string
  /** base URL of the holder's Docker API front, when it serves one: a standby's front forwards docker writes there */
  readonly dockerAddress?: string
  /** how long a renewal holds, measured by whoever reads it from when it saw the record change */
  readonly durationMs: number
  /** the holder's clock when it renewed: for people reading the VM, never for deciding */
  readonly renewedAt: string
}

export function formatLease(record: LeaseRecord): string {
  return JSON.stringify(record)
}

/** The record in a key's value, or undefined when there is none or it cannot be read (then the lease is free). */
export function parseLease(value: string | undefined): LeaseRecord | undefined {
  if (value === undefined || value === '' || value === '<nil>') return undefined
  try {
    const { holder, address, dockerAddress, durationMs, renewedAt } = JSON.parse(value) as Record<string, unknown>
    if (typeof holder !== 'string' || typeof address !== 'string' || typeof durationMs !== 'number') return undefined
    if (!Number.isFinite(durationMs) || durationMs <= 0) return undefined
    return {
      holder,
      address,
      ...(typeof dockerAddress === 'string' ? { dockerAddress } : {}),
      durationMs,
      renewedAt: typeof renewedAt === 'string' ? renewedAt : '',
    }
  } catch {
    return undefined
  }
}
