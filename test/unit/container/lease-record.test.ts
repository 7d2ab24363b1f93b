import { describe, expect, it } from 'vitest'
import { formatLease, leaseKey, parseLease, type LeaseRecord } from '../../../src/container/writer/lease-record.js'
import { leaseTimingsFor } from '../../../src/container/writer/lease.js'

const record: LeaseRecord = { holder: 'h-1', address: 'http://127.0.0.1:2377', dockerAddress: 'http://127.0.0.1:2375', durationMs: 8000, renewedAt: '2026-12-08T00:00:00.000Z' }

describe('the writer lease record', () => {
  it('lives under a hidden key no guest can read', () => {
    expect(leaseKey).toBe('portlayer/writer')
    expect(leaseKey.startsWith('guestinfo.')).toBe(false)
  })

  it('reads back what was written, with or without a Docker API address', () => {
    expect(parseLease(formatLease(record))).toEqual(record)
    const { dockerAddress: _docker, ...plain } = record
    expect(parseLease(formatLease(plain))).toEqual(plain)
  })

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['nil', '<nil>'],
    ['not JSON', '{holder'],
    ['without a holder', JSON.stringify({ address: 'x', durationMs: 1 })],
    ['with a duration that is not positive', JSON.stringify({ holder: 'h', address: 'x', durationMs: 0 })],
    ['with a duration that is not a number', JSON.stringify({ holder: 'h', address: 'x', durationMs: '8000' })],
  ])('is no record (the lease is free) when %s', (_, value) => {
    expect(parseLease(value)).toBeUndefined()
  })
})

describe('the lease timings', () => {
  it('renew four times and read eight times in a duration, and stop writing a quarter before it ends', () => {
    expect(leaseTimingsFor(8_000)).toEqual({ durationMs: 8_000, renewEveryMs: 2_000, watchEveryMs: 1_000, marginMs: 2_000 })
  })
})
