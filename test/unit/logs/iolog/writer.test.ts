import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeHeader, MAX_MESSAGE_LENGTH } from '../../../../src/logs/iolog/header.js'
import { decodeLog } from '../../../../src/logs/iolog/reader.js'
import { encodeLog, LogFramer, LogWriter } from '../../../../src/logs/iolog/writer.js'
import { assembleLog, cutAt, expectSameBytes, runThrough, steppingClock } from './fixtures.js'

/** VIC's test clock: time.Unix(191193300, 0). */
const vicClock = (): bigint => 191193300n * 1_000_000_000n

/** The entries of an encoded log as [size, stream, time] read straight from each header. */
function headers(log: Buffer): Array<[number, string, bigint]> {
  const out: Array<[number, string, bigint]> = []
  for (let at = 0; at < log.length; ) {
    const h = decodeHeader(log, at)
    if (h === undefined) throw new Error(`no header at ${at}`)
    out.push([h.size, h.stream, h.time])
    at += 16 + h.size
  }
  return out
}

describe('iolog writer', () => {
  it('writes a single line as its 16-byte header and the message (VIC TestWriteEntry)', () => {
    const msg = 'The quick brown fox jumped over the lazy dog\n'
    const log = encodeLog(msg, { clock: vicClock })
    expect(log.length).toBe(msg.length + 16)
    expect(log.subarray(16).toString()).toBe(msg)
  })

  it('splits a 32 KiB write into 8 entries of 4095 bytes and one of 8 (VIC TestWriteLargeEntry)', () => {
    const log = encodeLog(Buffer.alloc(32 * 1024), { clock: vicClock })
    expect(log.length).toBe(32 * 1024 + 9 * 16)
    expect(headers(log).map(([size]) => size)).toEqual([...Array(8).fill(4095), 8])
  })

  it('splits 5 × 4095 bytes into 5 entries stamped with the clock, stream 0 (VIC TestSplit)', () => {
    const log = encodeLog(Buffer.alloc(5 * MAX_MESSAGE_LENGTH), { clock: vicClock })
    expect(headers(log)).toEqual(Array(5).fill([4095, 'stdout', 191193300000000000n]))
  })

  it('keeps the \\n with its line and splits long lines where VIC did', () => {
    const long = 'a'.repeat(4095) + 'b'.repeat(10) + '\n'
    const log = encodeLog(`one\n\n${long}last`, { clock: vicClock })
    expect(decodeLog(log).map((e) => e.message.toString())).toEqual([
      'one\n',
      '\n',
      'a'.repeat(4095),
      'b'.repeat(10) + '\n',
      'last',
    ])
  })

  it('gives the same bytes as the assembled entries (header codec, line framing)', () => {
    const lines = ['first\n', 'second line\n', 'no newline at the end']
    const expected = assembleLog(lines.map((l) => ({ time: 7n, stream: 'stderr', message: Buffer.from(l) })))
    expectSameBytes(encodeLog(lines.join(''), { clock: () => 7n, stream: 'stderr' }), expected.bytes)
  })

  it('holds a partial line until the next write completes it, and flushes it at the end', () => {
    const framer = new LogFramer({ clock: steppingClock(100n) })
    expect(framer.write(Buffer.from('hel')).length).toBe(0)
    const first = framer.write(Buffer.from('lo\nwor'))
    expect(decodeLog(first).map((e) => [e.time, e.message.toString()])).toEqual([[100n, 'hello\n']])
    expect(framer.write(Buffer.from('ld')).length).toBe(0)
    const last = framer.end()
    expect(decodeLog(last).map((e) => [e.time, e.message.toString()])).toEqual([[101n, 'world']])
    expect(framer.end().length).toBe(0)
  })

  it('stamps each write with the clock as it is when the write arrives', () => {
    const framer = new LogFramer({ clock: steppingClock(10n, 5n) })
    const log = Buffer.concat([framer.write(Buffer.from('a\nb\n')), framer.write(Buffer.from('c\n'))])
    expect(decodeLog(log).map((e) => e.time)).toEqual([10n, 10n, 15n])
  })

  it('frames a stream the same however its writes were cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('\n'), fc.string({ maxLength: 40 }), fc.constant('x'.repeat(5000))), {
          maxLength: 12,
        }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (parts, cuts) => {
          const data = Buffer.from(parts.join(''))
          const whole = encodeLog(data, { clock: () => 1n })
          const pieces = await runThrough<Buffer>(new LogWriter({ clock: () => 1n }), cutAt(data, cuts))
          expectSameBytes(Buffer.concat(pieces), whole)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('sets the stream bit for stderr', async () => {
    const out = await runThrough<Buffer>(new LogWriter({ stream: 'stderr', clock: () => 1n }), [Buffer.from('oops\n')])
    expect(decodeLog(Buffer.concat(out))).toEqual([{ time: 1n, stream: 'stderr', message: Buffer.from('oops\n') }])
  })

  it('stamps entries with the current time by default', () => {
    const before = BigInt(Date.now() - 1000) * 1_000_000n
    const [entry] = decodeLog(encodeLog('now\n'))
    expect(entry!.time).toBeGreaterThan(before)
    expect(entry!.time).toBeLessThan(before + 3_600_000_000_000n)
  })
})
