/**
 * Writing an iolog stream (VIC's `LogWriter`, which the tether put between a container's output and its serial
 * port): one entry per `\n`-terminated line, the `\n` being part of the message; a line longer than 4095 bytes is
 * split into 4095-byte entries; the unfinished last line waits for the next write and is flushed as an entry at the
 * end. VIC always wrote stream 0; here the stream bit is set for stderr.
 *
 * {@link LogFramer} is the pure state machine, {@link encodeLog} the one-shot function form and
 * {@link LogWriter} the Node Transform around it.
 *
 * Two deliberate differences from VIC, neither visible in the bytes except through the time field: the clock is
 * read once per write (every line in one write arrived at the same moment) instead of once per entry, and a partial
 * line is cut into 4095-byte entries as soon as it is that long rather than being held in memory until its `\n`
 * arrives — the entries are the same, memory stays bounded on output that never ends a line.
 */
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream'
import {
  ENCODED_HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
  encodeHeaderInto,
  headerBits,
  splitTime,
  type LogStream,
} from './header.js'

/** Nanoseconds since the epoch. */
export type Clock = () => bigint

const wallAtStart = BigInt(Date.now()) * 1_000_000n
const monotonicAtStart = process.hrtime.bigint()

/** The wall clock at start-up advanced by the monotonic clock: nanosecond resolution, never goes backwards. */
export const systemClock: Clock = () => wallAtStart + (process.hrtime.bigint() - monotonicAtStart)

export interface LogFramerOptions {
  stream?: LogStream
  clock?: Clock
}

const EMPTY = Buffer.alloc(0)
const NEWLINE = 0x0a

export class LogFramer {
  private readonly stream: LogStream
  private readonly clock: Clock
  /** The unfinished last line, shorter than a full entry. */
  private pending: Buffer = EMPTY

  constructor(options: LogFramerOptions = {}) {
    this.stream = options.stream ?? 'stdout'
    this.clock = options.clock ?? systemClock
  }

  /** The entries for every complete line (and full 4095-byte piece) that `chunk` completes; possibly empty. */
  write(chunk: Uint8Array): Buffer {
    const data =
      this.pending.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
        : Buffer.concat([this.pending, chunk])
    const ends: number[] = []
    let start = 0
    for (;;) {
      const newline = data.indexOf(NEWLINE, start)
      const lineEnd = newline < 0 ? data.length : newline + 1
      while (lineEnd - start >= MAX_MESSAGE_LENGTH) {
        start += MAX_MESSAGE_LENGTH
        ends.push(start)
      }
      if (newline < 0) break
      if (lineEnd > start) ends.push(lineEnd)
      start = lineEnd
    }
    this.pending = start < data.length ? Buffer.from(data.subarray(start)) : EMPTY
    return this.encode(data, ends)
  }

  /** The entry for the unfinished last line, if there is one. */
  end(): Buffer {
    const data = this.pending
    this.pending = EMPTY
    return data.length === 0 ? EMPTY : this.encode(data, [data.length])
  }

  /** Entries for `data[0, ends[0])`, `data[ends[0], ends[1])`, … */
  private encode(data: Buffer, ends: number[]): Buffer {
    if (ends.length === 0) return EMPTY
    const last = ends[ends.length - 1]!
    const out = Buffer.allocUnsafe(last + ends.length * ENCODED_HEADER_LENGTH)
    const { timeHigh, timeLow } = splitTime(this.clock())
    let at = 0
    let start = 0
    for (const end of ends) {
      encodeHeaderInto(out, at, timeHigh, timeLow, headerBits(end - start, this.stream))
      at += ENCODED_HEADER_LENGTH
      at += data.copy(out, at, start, end)
      start = end
    }
    return out
  }
}

/** The iolog encoding of `data` written in one go and then ended. */
export function encodeLog(data: Uint8Array | string, options: LogFramerOptions = {}): Buffer {
  const framer = new LogFramer(options)
  const bytes = typeof data === 'string' ? Buffer.from(data) : data
  return Buffer.concat([framer.write(bytes), framer.end()])
}

export class LogWriter extends Transform {
  private readonly framer: LogFramer

  constructor(options: LogFramerOptions & Omit<TransformOptions, 'transform' | 'flush'> = {}) {
    const { stream, clock, ...rest } = options
    super({ ...rest, objectMode: false })
    this.framer = new LogFramer({ stream, clock })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const entries = this.framer.write(chunk)
    if (entries.length > 0) this.push(entries)
    callback()
  }

  override _flush(callback: TransformCallback): void {
    const entries = this.framer.end()
    if (entries.length > 0) this.push(entries)
    callback()
  }
}
