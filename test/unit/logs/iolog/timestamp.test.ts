import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitTime } from '../../../../src/logs/iolog/header.js'
import { formatTimestamp, TIMESTAMP_PREFIX_LENGTH, TimestampWriter } from '../../../../src/logs/iolog/timestamp.js'

/** Go's RFC3339NanoFixed in UTC, worked out with floor division and Date, independently of the module. */
function goFormat(time: bigint): string {
  const seconds = time >= 0n ? time / 1_000_000_000n : -((-time + 999_999_999n) / 1_000_000_000n)
  const nanos = time - seconds * 1_000_000_000n
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${nanos.toString().padStart(9, '0')}Z`
}

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })

describe('iolog timestamps', () => {
  it('formats like Go, fixed width, before and after 1970', () => {
    expect(formatTimestamp(1510950922000000000n)).toBe('2017-11-17T20:35:22.000000000Z')
    expect(formatTimestamp(191193300n * 1_000_000_000n)).toBe('1976-01-22T21:15:00.000000000Z')
    expect(formatTimestamp(-1n)).toBe('1969-12-31T23:59:59.999999999Z')
    expect(formatTimestamp((1n << 63n) - 1n)).toBe('2262-04-11T23:47:16.854775807Z')
    expect(formatTimestamp(-(1n << 63n))).toBe('1677-09-21T00:12:43.145224192Z')
    fc.assert(
      fc.property(int64, (t) => {
        expect(formatTimestamp(t)).toBe(goFormat(t))
      }),
    )
  })

  it('writes the same text into buffers, however the times jump or creep', () => {
    const step = fc.oneof(int64, fc.bigInt({ min: -2_000_000_000n, max: 2_000_000_000n }))
    fc.assert(
      fc.property(int64, fc.array(step, { maxLength: 40 }), (start, steps) => {
        const times = [start]
        for (const s of steps) times.push(BigInt.asIntN(64, times[times.length - 1]! + s))
        const writer = new TimestampWriter()
        const out = Buffer.alloc(times.length * TIMESTAMP_PREFIX_LENGTH)
        let at = 0
        for (const t of times) {
          const { timeHigh, timeLow } = splitTime(t)
          at = writer.write(out, at, timeHigh, timeLow)
        }
        expect(at).toBe(out.length)
        expect(out.toString('latin1')).toBe(times.map((t) => `${goFormat(t)} `).join(''))
      }),
      { numRuns: 500 },
    )
  })
})
