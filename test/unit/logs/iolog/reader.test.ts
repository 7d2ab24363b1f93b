import { createHash, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeHeader } from '../../../../src/logs/iolog/header.js'
import { decodeLog, LogEntryReader, LogOutputReader, type LogEntry } from '../../../../src/logs/iolog/reader.js'
import { encodeLog, LogFramer } from '../../../../src/logs/iolog/writer.js'
import {
  anyStream,
  assembleLog,
  cutAt,
  expectSameBytes,
  plainEntry,
  runThrough,
  steppingClock,
  type PlainEntry,
} from './fixtures.js'

const vicClock = (): bigint => 191193300n * 1_000_000_000n
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

const plain = (e: LogEntry): PlainEntry => ({ time: e.time, stream: e.stream, message: Buffer.from(e.message) })
const entriesOf = async (log: Buffer, cuts: number[] = []): Promise<PlainEntry[]> =>
  (await runThrough<LogEntry>(new LogEntryReader(), cutAt(log, cuts))).map(plain)
const outputOf = async (log: Buffer, cuts: number[] = [], timestamps = false): Promise<Buffer> =>
  Buffer.concat(await runThrough<Buffer>(new LogOutputReader({ timestamps }), cutAt(log, cuts)))

/** Entries compared as text-friendly tuples, so a failure shows readable values. */
const tuples = (entries: readonly PlainEntry[]): Array<[bigint, string, string]> =>
  entries.map((e) => [e.time, e.stream, e.message.toString('hex')])

describe('iolog reader', () => {
  it('round-trips 32 KiB of random bytes (VIC TestWriteReadLargeEntry)', async () => {
    const data = randomBytes(32 * 1024)
    const log = encodeLog(data, { clock: vicClock })
    expect(sha256(await outputOf(log))).toBe(sha256(data))
  })

  it('skips two garbage bytes in front of the log (VIC TestReadWithLeadingGarbage)', async () => {
    const data = randomBytes(32 * 1024)
    const clean = encodeLog(data, { clock: vicClock })
    const log = Buffer.concat([Buffer.from([0x0d, 0xff]), clean])
    expect(sha256(await outputOf(log))).toBe(sha256(data))
    expect(tuples(await entriesOf(log))).toEqual(tuples(await entriesOf(clean)))
  })

  it('prefixes each entry with its fixed-width UTC time and a space (VIC TestTimestamps)', async () => {
    const msgs = [
      'Jerry, it’s Frank Costanza. Steinbrenner’s here. George is dead. Call me back.\n',
      'When you look annoyed all the time, people think that you’re busy.\n',
      'You put the balm on? Who told you to put the balm on? I didn\'t tell you to put the balm on.\n',
      'At the Festivus dinner, you gather your family around and you tell them all the ways they disappointed you.\n',
    ]
    const framer = new LogFramer({ clock: vicClock })
    const log = Buffer.concat([...msgs.map((m) => framer.write(Buffer.from(m))), framer.end()])
    const text = (await outputOf(log, [], true)).toString()
    expect(text).toBe(msgs.map((m) => `1976-01-22T21:15:00.000000000Z ${m}`).join(''))
  })

  it('reads VIC\'s example entry', () => {
    expect(decodeLog(Buffer.from('AOTbstv59xTAAA==hello world\n'))).toEqual([
      { time: 1510950922000000000n, stream: 'stdout', message: Buffer.from('hello world\n') },
    ])
  })

  it('reads back every entry, with time and stream, however the input is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(plainEntry(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (entries, cuts) => {
          const { bytes } = assembleLog(entries)
          expect(tuples(await entriesOf(bytes, cuts))).toEqual(tuples(entries))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('survives a cut at every byte of a log', async () => {
    const entries: PlainEntry[] = [
      { time: 1n, stream: 'stdout', message: Buffer.from('a\n') },
      { time: 2n, stream: 'stderr', message: Buffer.alloc(0) },
      { time: 3n, stream: 'stdout', message: Buffer.from('ccc') },
      { time: (1n << 62n) + 5n, stream: 'stderr', message: Buffer.from('dddd\n') },
    ]
    const { bytes } = assembleLog(entries)
    const text = entries.map((e) => e.message.toString()).join('')
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(tuples(await entriesOf(bytes, [cut]))).toEqual(tuples(entries))
      expect((await outputOf(bytes, [cut])).toString()).toBe(text)
    }
    const oneByteChunks = [...Array(bytes.length).keys()]
    expect(tuples(await entriesOf(bytes, oneByteChunks))).toEqual(tuples(entries))
  })

  it('outputs what the container wrote, stdout and stderr interleaved, however chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(anyStream, fc.uint8Array({ maxLength: 9000 })), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (writes, cuts) => {
          const framers = {
            stdout: new LogFramer({ clock: () => 1n }),
            stderr: new LogFramer({ stream: 'stderr', clock: () => 1n }),
          }
          const log = Buffer.concat([
            ...writes.map(([stream, bytes]) => framers[stream].write(bytes)),
            framers.stdout.end(),
            framers.stderr.end(),
          ])
          // entries come out in file order; per stream, the bytes are what was written
          const entries = await entriesOf(log, cuts)
          for (const stream of ['stdout', 'stderr'] as const) {
            const written = Buffer.concat(writes.filter(([s]) => s === stream).map(([, b]) => b))
            expectSameBytes(Buffer.concat(entries.filter((e) => e.stream === stream).map((e) => e.message)), written)
          }
          expectSameBytes(await outputOf(log, cuts), Buffer.concat(entries.map((e) => e.message)))
        },
      ),
      { numRuns: 150 },
    )
  })

  it('stamps every entry with its own time, however chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(plainEntry(60), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (entries, cuts) => {
          const { bytes } = assembleLog(entries)
          const expected = entries.map((e) => Buffer.concat([Buffer.from(`${isoNanos(e.time)} `), e.message]))
          expectSameBytes(await outputOf(bytes, cuts, true), Buffer.concat(expected))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('stamps a run of empty entries, where the output outgrows the input', async () => {
    const empties = Array.from({ length: 5000 }, (_, i) => ({
      time: 10n ** 18n + BigInt(i),
      stream: 'stdout' as const,
      message: Buffer.alloc(0),
    }))
    const { bytes } = assembleLog(empties)
    const expected = empties.map((e) => `${isoNanos(e.time)} `).join('')
    expect((await outputOf(bytes, [], true)).toString()).toBe(expected)
    expect((await outputOf(bytes, [7, 4000, 4001, 50_000], true)).toString()).toBe(expected)
    expect((await outputOf(bytes)).length).toBe(0)
  })

  it('resynchronises after garbage between entries', async () => {
    const garbage = fc.uint8Array({ minLength: 1, maxLength: 64 }).filter((g) => !Buffer.from(g).includes('=='))
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(plainEntry(100), fc.option(garbage)), { minLength: 1, maxLength: 15 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (items, cuts) => {
          const parts: Buffer[] = []
          for (const [entry, junk] of items) {
            parts.push(assembleLog([entry]).bytes)
            if (junk !== null) parts.push(Buffer.from(junk))
          }
          const log = Buffer.concat(parts)
          expect(tuples(await entriesOf(log, cuts))).toEqual(tuples(items.map(([e]) => e)))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('finds a header right after garbage that itself looks like the start of one', () => {
    const entry = assembleLog([{ time: 9n, stream: 'stdout', message: Buffer.from('after\n') }]).bytes
    const lookalike = Buffer.from('AAAAAAAAAAAA==AAAAAAAAAAAAAAAAAA=') // base64 text, never a well-formed header
    expect(decodeLog(Buffer.concat([lookalike, entry])).map((e) => e.message.toString())).toEqual(['after\n'])
  })

  it('returns what is there of a cut last entry, and drops a cut header', async () => {
    const { bytes } = assembleLog([
      { time: 1n, stream: 'stdout', message: Buffer.from('complete\n') },
      { time: 2n, stream: 'stderr', message: Buffer.from('cut short\n') },
    ])
    const cutMessage = bytes.subarray(0, bytes.length - 4)
    expect((await entriesOf(cutMessage)).map((e) => [e.time, e.stream, e.message.toString()])).toEqual([
      [1n, 'stdout', 'complete\n'],
      [2n, 'stderr', 'cut sh'],
    ])
    expect((await outputOf(cutMessage, [30], true)).toString()).toBe(
      '1970-01-01T00:00:00.000000001Z complete\n1970-01-01T00:00:00.000000002Z cut sh',
    )
    const cutHeader = bytes.subarray(0, 25 + 10)
    expect((await entriesOf(cutHeader)).map((e) => e.message.toString())).toEqual(['complete\n'])
    const headerOnly = bytes.subarray(0, 25 + 16)
    expect((await entriesOf(headerOnly)).map((e) => e.message.toString())).toEqual(['complete\n'])
  })

  it('gives message views of the input chunk instead of copies', async () => {
    const log = encodeLog('one\ntwo\n', { clock: () => 1n })
    const [first, second] = decodeLog(log)
    expect(first!.message.buffer).toBe(log.buffer)
    expect(second!.message.buffer).toBe(log.buffer)
  })

  it('stamps times before 1970 the way Go formats them', async () => {
    const log = Buffer.concat([encodeHeader({ time: -1n, stream: 'stdout', size: 1 }), Buffer.from('x')])
    expect((await outputOf(log, [], true)).toString()).toBe('1969-12-31T23:59:59.999999999Z x')
  })

  it('keeps stepping through seconds correctly when stamping', async () => {
    const framer = new LogFramer({ clock: steppingClock(1_700_000_000_999_999_998n, 1n) })
    const log = Buffer.concat(['a\n', 'b\n', 'c\n', 'd\n'].map((l) => framer.write(Buffer.from(l))))
    expect((await outputOf(log, [], true)).toString()).toBe(
      [
        '2023-11-14T22:13:20.999999998Z a',
        '2023-11-14T22:13:20.999999999Z b',
        '2023-11-14T22:13:21.000000000Z c',
        '2023-11-14T22:13:21.000000001Z d',
      ].join('\n') + '\n',
    )
  })
})

/** RFC3339 with nine fraction digits, computed independently of the codec with BigInt and Date. */
function isoNanos(time: bigint): string {
  const seconds = time / 1_000_000_000n
  const nanos = time % 1_000_000_000n
  const date = new Date(Number(seconds) * 1000).toISOString()
  return `${date.slice(0, 19)}.${nanos.toString().padStart(9, '0')}Z`
}
