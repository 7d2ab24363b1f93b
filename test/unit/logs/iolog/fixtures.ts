/**
 * Helpers for the iolog tests: logs assembled entry by entry with the header codec (so the writer can be tested
 * against them), chunkings, and a stream driver.
 */
import { Readable, Writable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import fc from 'fast-check'
import { encodeHeader, type LogStream } from '../../../../src/logs/iolog/header.js'

export interface PlainEntry {
  time: bigint
  stream: LogStream
  message: Buffer
}

/** The log holding `entries`, and the offset of each entry's header. */
export function assembleLog(entries: readonly PlainEntry[]): { bytes: Buffer; offsets: number[] } {
  const parts: Buffer[] = []
  const offsets: number[] = []
  let at = 0
  for (const e of entries) {
    offsets.push(at)
    const header = encodeHeader({ time: e.time, stream: e.stream, size: e.message.length })
    parts.push(header, e.message)
    at += header.length + e.message.length
  }
  return { bytes: Buffer.concat(parts), offsets }
}

/** `data` cut at the given positions (any order, duplicates allowed). */
export function cutAt(data: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, data.length)))].sort((a, b) => a - b)
  const pieces: Buffer[] = []
  let from = 0
  for (const p of points) {
    pieces.push(data.subarray(from, p))
    from = p
  }
  pieces.push(data.subarray(from))
  return pieces
}

/** Pushes `chunks` through `transform` and collects what comes out. */
export async function runThrough<T>(transform: Transform, chunks: readonly Buffer[]): Promise<T[]> {
  const out: T[] = []
  const sink = new Writable({
    objectMode: true,
    write(chunk: T, _encoding, callback) {
      out.push(chunk)
      callback()
    },
  })
  await pipeline(Readable.from(chunks, { objectMode: true }), transform, sink)
  return out
}

export const anyStream = fc.constantFrom<LogStream>('stdout', 'stderr')
/** Times a tether could write: after 1970, within int64. */
export const plausibleTime = fc.bigInt({ min: 1n, max: (1n << 63n) - 1n })

export const plainEntry = (maxSize = 300): fc.Arbitrary<PlainEntry> =>
  fc.record({
    time: plausibleTime,
    stream: anyStream,
    message: fc.uint8Array({ maxLength: maxSize }).map((m) => Buffer.from(m)),
  })

/** A clock that returns `start`, `start + step`, … */
export function steppingClock(start: bigint, step = 1n): () => bigint {
  let next = start
  return () => {
    const now = next
    next += step
    return now
  }
}

/**
 * Byte equality with a short message on failure. (`toEqual` on large Buffers compares element by element and is
 * far too slow inside a property.)
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.length)
  if (a.equals(expected)) return
  let at = 0
  while (at < a.length && at < expected.length && a[at] === expected[at]) at++
  const show = (b: Uint8Array): string => Buffer.from(b.subarray(Math.max(0, at - 8), at + 24)).toString('hex')
  throw new Error(
    `bytes differ at ${at} (lengths ${a.length} and ${expected.length}): ` +
      `got …${show(a)}…, expected …${show(expected)}…`,
  )
}
