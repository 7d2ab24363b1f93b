/**
 * Reading an iolog stream back (VIC's `LogReader`), as Node Transforms over the raw bytes of `output.log`:
 *
 * - {@link LogEntryReader} (object mode) emits one {@link LogEntry} per entry, for formats that need the time and
 *   stream of each message (docker's json-file lines). A message that sits inside one input chunk is a view of that
 *   chunk, not a copy.
 * - {@link LogOutputReader} emits what the container wrote, as bytes, optionally with each entry prefixed by its
 *   RFC3339NanoFixed time and a space (`docker logs --timestamps`). It works a chunk at a time: the chunk is copied
 *   once into the output buffer and the messages are moved down over the headers with `copyWithin`, which is far
 *   cheaper than a Buffer view or a `copy` call per entry.
 *
 * Both keep constant memory on any input size and share {@link EntryScanner}'s resynchronisation after garbage and
 * its handling of entries cut by chunk boundaries or by the end of the input.
 */
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream'
import { MAX_MESSAGE_LENGTH, type LogStream } from './header.js'
import { EntryScanner } from './scanner.js'
import { TIMESTAMP_PREFIX_LENGTH, TimestampWriter } from './timestamp.js'

export interface LogEntry {
  /** nanoseconds since the epoch */
  readonly time: bigint
  readonly stream: LogStream
  readonly message: Buffer
}

function toEntry(
  timeHigh: number,
  timeLow: number,
  stream: number,
  source: Buffer,
  start: number,
  end: number,
): LogEntry {
  return {
    time: BigInt(timeHigh) * 4294967296n + BigInt(timeLow),
    stream: stream === 0 ? 'stdout' : 'stderr',
    message: start === 0 && end === source.length ? source : source.subarray(start, end),
  }
}

/** All entries of a complete log held in memory (tests, small files). */
export function decodeLog(data: Buffer): LogEntry[] {
  const entries: LogEntry[] = []
  const scanner = new EntryScanner((h, l, s, src, start, end) => entries.push(toEntry(h, l, s, src, start, end)))
  scanner.write(data)
  scanner.end()
  return entries
}

type ReaderOptions = Omit<TransformOptions, 'transform' | 'flush' | 'objectMode' | 'readableObjectMode'>

export class LogEntryReader extends Transform {
  /** The high half of the time changes every 4.3 s: its BigInt is kept rather than made per entry. */
  private high = 0
  private highTime = 0n
  private readonly scanner = new EntryScanner((timeHigh, timeLow, stream, source, start, end) => {
    if (timeHigh !== this.high) {
      this.high = timeHigh
      this.highTime = BigInt(timeHigh) * 4294967296n
    }
    this.push({
      time: this.highTime + BigInt(timeLow),
      stream: stream === 0 ? 'stdout' : 'stderr',
      // a view of the chunk; Buffer.from(arrayBuffer, …) makes one with less checking than subarray
      message: Buffer.from(source.buffer, source.byteOffset + start, end - start),
    } satisfies LogEntry)
  })

  constructor(options: ReaderOptions = {}) {
    super({ ...options, readableObjectMode: true, writableObjectMode: false })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.scanner.write(chunk)
    callback()
  }

  override _flush(callback: TransformCallback): void {
    this.scanner.end()
    callback()
  }
}

export interface LogOutputOptions extends ReaderOptions {
  /** Prefix each entry with its time and a space, as VIC's reader did when asked for timestamps. */
  timestamps?: boolean
}

export class LogOutputReader extends Transform {
  private readonly stamps: TimestampWriter | undefined
  /** Output of the chunk being scanned; the chunk's bytes sit at `inputAt` in the same buffer. */
  private out: Buffer = Buffer.alloc(0)
  private outAt = 0
  private input: Buffer = Buffer.alloc(0)
  private inputAt = 0
  private readonly scanner = new EntryScanner((timeHigh, timeLow, _stream, source, start, end) => {
    let at = this.outAt
    if (this.stamps !== undefined) at = this.stamps.write(this.out, at, timeHigh, timeLow)
    if (source === this.input) this.out.copyWithin(at, this.inputAt + start, this.inputAt + end)
    else source.copy(this.out, at, start, end)
    this.outAt = at + (end - start)
  })

  constructor(options: LogOutputOptions = {}) {
    const { timestamps, ...rest } = options
    super({ ...rest, readableObjectMode: false, writableObjectMode: false })
    this.stamps = timestamps ? new TimestampWriter() : undefined
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // The output is written from the front of the buffer while the chunk is read further on. Room in front of the
    // chunk: a message finished from the previous chunk (written whole, though only its tail is in this chunk), and
    // with timestamps the 15 bytes an entry grows by (a 31-byte prefix replaces a 16-byte header), at most one entry
    // per 16 input bytes. Writing never overtakes reading.
    const prefix = this.stamps === undefined ? 0 : TIMESTAMP_PREFIX_LENGTH
    const growth = Math.max(0, prefix - 16) * (Math.ceil(chunk.length / 16) + 1)
    const inputAt = MAX_MESSAGE_LENGTH + prefix + growth
    const out = Buffer.allocUnsafe(inputAt + chunk.length)
    chunk.copy(out, inputAt)
    this.out = out
    this.outAt = 0
    this.inputAt = inputAt
    this.input = out.subarray(inputAt)
    this.scanner.write(this.input)
    this.input = Buffer.alloc(0)
    if (this.outAt > 0) this.push(out.subarray(0, this.outAt))
    callback()
  }

  override _flush(callback: TransformCallback): void {
    const prefix = this.stamps === undefined ? 0 : TIMESTAMP_PREFIX_LENGTH
    this.out = Buffer.allocUnsafe(MAX_MESSAGE_LENGTH + prefix)
    this.outAt = 0
    this.scanner.end()
    if (this.outAt > 0) this.push(this.out.subarray(0, this.outAt))
    callback()
  }
}
