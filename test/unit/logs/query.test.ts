// A logs request turned into a plan (pure): times in both accepted forms, what is refused and why, and the line
// tail used for logs without entry headers, checked against a plain split of the text.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { logDrivers } from '../../../src/logs/drivers/index.js'
import { LogError } from '../../../src/logs/errors.js'
import { searchLineTail } from '../../../src/logs/line-tail.js'
import { planLogRead, type LogQueryInput } from '../../../src/logs/query.js'
import { formatRfc3339Nano, parseLogTime } from '../../../src/logs/time.js'

const s = 1_000_000_000n

describe('log times', () => {
  it.each([
    ['1700000000', 1_700_000_000n * s],
    ['1700000000.5', 1_700_000_000n * s + 500_000_000n],
    ['1700000000.000000001', 1_700_000_000n * s + 1n],
    ['2023-11-14T22:13:20Z', 1_700_000_000n * s],
    ['2023-11-14T22:13:20.25Z', 1_700_000_000n * s + 250_000_000n],
    ['2023-11-14T23:13:20+01:00', 1_700_000_000n * s],
    ['2023-11-14t17:43:20.123456789-04:30', 1_700_000_000n * s + 123_456_789n],
    ['0', 0n],
  ])('reads %s', (textValue, ns) => {
    expect(parseLogTime(textValue)).toBe(ns)
  })

  it.each([['yesterday'], ['-5'], ['1e9'], ['2023-02-30T00:00:00Z'], ['2023-11-14T24:00:00Z'], ['2023-11-14 22:13:20Z'], ['1700000000.1234567890']])(
    'refuses %s',
    (textValue) => {
      expect(parseLogTime(textValue)).toBeUndefined()
    },
  )

  it('reads back what it prints, for any time in 1970..2200 with nanoseconds', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 7_258_118_400n * s }), (ns) => {
        expect(parseLogTime(formatRfc3339Nano(ns))).toBe(ns)
      }),
    )
  })

  it('prints like Go RFC3339Nano: no trailing zeros, no dot for a whole second', () => {
    expect(formatRfc3339Nano(1_700_000_000n * s)).toBe('2023-11-14T22:13:20Z')
    expect(formatRfc3339Nano(1_700_000_000n * s + 120_000_000n)).toBe('2023-11-14T22:13:20.12Z')
  })
})

describe('planning a read', () => {
  const plan = (input: LogQueryInput, framed = true) =>
    planLogRead(input, { framed, drivers: logDrivers, subject: 'container web' })
  const refusal = (input: LogQueryInput, framed = true): LogError => {
    try {
      plan(input, framed)
    } catch (err) {
      if (LogError.is(err)) return err
      throw err
    }
    throw new Error('expected a refusal')
  }

  it('defaults to all of both streams in raw, not followed', () => {
    expect(plan({})).toMatchObject({ framed: true, follow: false, streams: { stdout: true, stderr: true }, formatName: 'raw' })
    expect(plan({}).since).toBeUndefined()
  })

  it('treats since=0 as no bound, as docker and VIC did', () => {
    expect(plan({ since: '0' }).since).toBeUndefined()
  })

  it('refuses what cannot match or cannot be read', () => {
    expect(refusal({ since: '20', until: '10' }).message).toMatch(/since must be before until/)
    expect(refusal({ stdout: false, stderr: false }).message).toMatch(/at least one/)
    expect(refusal({ tail: -1 }).message).toMatch(/tail must be a whole number/)
    expect(refusal({ until: 'soon' }).message).toMatch(/^until must be unix seconds/)
  })

  it('serves a log without entry headers only as raw bytes of both streams', () => {
    expect(plan({ tail: 3 }, false)).toMatchObject({ framed: false, tail: 3 })
    for (const input of [{ options: { timestamps: 'true' } }, { format: 'json-file' }, { since: '1' }, { until: '1' }, { stdout: false }]) {
      const err = refusal(input, false)
      expect(err.kind).toBe('invalid_log_option')
      expect(err.message).toMatch(/^the output of container web was written without entry headers \(data version 0\)/)
    }
  })
})

describe('the line tail of a plain log', () => {
  /** Runs the search over an in-memory file. */
  function lineTail(data: Buffer, lines: number): { offset: number; read: number } {
    const search = searchLineTail(data.length, lines)
    let read = 0
    let step = search.next()
    while (!step.done) {
      read += step.value.end - step.value.start
      step = search.next(data.subarray(step.value.start, step.value.end))
    }
    return { offset: step.value, read }
  }

  it('gives the last N lines, an unfinished last line counting as one', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'bc', '\n', 'déf', ''), { maxLength: 40 }), fc.nat(12), (parts, n) => {
        const textValue = parts.join('')
        const pieces = textValue.match(/[^\n]*\n|[^\n]+$/g) ?? []
        const expected = pieces.slice(Math.max(0, pieces.length - n)).join('')
        const data = Buffer.from(textValue)
        expect(data.subarray(lineTail(data, n).offset).toString()).toBe(n === 0 ? '' : expected)
      }),
    )
  })

  it('reads kilobytes from the end of a large log', () => {
    const data = ('x'.repeat(99) + '\n').repeat(100_000)
    const result = lineTail(Buffer.from(data), 10)
    expect(result.offset).toBe(data.length - 1000)
    expect(result.read).toBeLessThanOrEqual(16 * 1024)
  })
})
