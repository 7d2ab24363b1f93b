// Fuzzing the iolog readers with bytes a damaged or hostile `output.log` could hold: random garbage, valid entries
// cut and spliced at random points, headers with absurd lengths. A reader must never throw and never emit more
// than the input carried (plus the timestamp prefix per entry), so a crafted log cannot make the service allocate
// without bound or crash the logs endpoint.
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ENCODED_HEADER_LENGTH,
  LogEntryReader,
  LogOutputReader,
  TIMESTAMP_PREFIX_LENGTH,
  decodeLog,
  encodeLog,
  type LogEntry,
} from '../../../src/logs/iolog/index.js'

const garbage = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b))
const validEntries = fc
  .array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 })
  .map((messages) => Buffer.concat(messages.map((m) => encodeLog(m))))
/** valid framing with a random cut, a random byte flipped, or garbage around it */
const damaged = fc
  .tuple(validEntries, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }))
  .map(([log, cut, at, byte]) => {
    const out = Buffer.from(log.subarray(0, log.length === 0 ? 0 : cut % (log.length + 1)))
    if (out.length > 0) out[at % out.length] = byte
    return out
  })
const logBytes = fc
  .array(fc.oneof(garbage, validEntries, damaged), { minLength: 1, maxLength: 5 })
  .map((parts) => Buffer.concat(parts))

/** the input split into chunks at the given points, as a stream delivers it */
function chunks(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (data.length === 0 ? 0 : c % data.length)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let from = 0
  for (const p of [...points, data.length]) {
    if (p > from) out.push(data.subarray(from, p))
    from = Math.max(from, p)
  }
  return out
}

const cutPoints = fc.array(fc.nat(), { maxLength: 6 })
// each entry costs at least a 16-byte header, so no input holds more entries than this
const maxEntries = (input: number) => Math.ceil(input / ENCODED_HEADER_LENGTH) + 1

describe('the iolog readers on arbitrary bytes', () => {
  it('decodeLog never throws and never returns more message bytes than it was given', () => {
    fc.assert(
      fc.property(logBytes, (data) => {
        const entries = decodeLog(data)
        const total = entries.reduce((n, e) => n + e.message.length, 0)
        expect(total).toBeLessThanOrEqual(data.length)
        expect(entries.length).toBeLessThanOrEqual(maxEntries(data.length))
        for (const e of entries) expect(['stdout', 'stderr']).toContain(e.stream)
      }),
      { numRuns: 300 },
    )
  })

  it('the output reader emits at most the input size, whatever the chunking, with or without timestamps', async () => {
    await fc.assert(
      fc.asyncProperty(logBytes, cutPoints, fc.boolean(), async (data, cuts, timestamps) => {
        const out = await buffer(Readable.from(chunks(data, cuts)).pipe(new LogOutputReader({ timestamps })))
        const overhead = timestamps ? (TIMESTAMP_PREFIX_LENGTH - ENCODED_HEADER_LENGTH) * maxEntries(data.length) : 0
        expect(out.length).toBeLessThanOrEqual(data.length + overhead)
        // the chunking must not change what is read
        const whole = await buffer(Readable.from([data]).pipe(new LogOutputReader({ timestamps })))
        expect(out.equals(whole)).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('the entry reader agrees with decodeLog on every chunking', async () => {
    await fc.assert(
      fc.asyncProperty(logBytes, cutPoints, async (data, cuts) => {
        const entries: LogEntry[] = []
        for await (const e of Readable.from(chunks(data, cuts)).pipe(new LogEntryReader())) entries.push(e as LogEntry)
        const expected = decodeLog(data)
        expect(entries.map((e) => [e.time, e.stream, Buffer.from(e.message).toString('hex')])).toEqual(
          expected.map((e) => [e.time, e.stream, Buffer.from(e.message).toString('hex')]),
        )
      }),
      { numRuns: 150 },
    )
  })
})
