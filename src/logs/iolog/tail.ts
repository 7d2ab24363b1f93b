/**
 * Where to start reading an iolog file to get only its last entries (`tail=N`) or the entries written after a time
 * (`since`), found by reading backwards from the end in a few small ranges: the logs endpoint reads `output.log`
 * over the datastore's HTTP interface, and `tail=10` of a 1 GB log must not download it.
 *
 * Pure: {@link searchTail} is a generator that yields the byte ranges it needs and is resumed with their bytes, so
 * it can be driven by HTTP Range requests ({@link findTailOffset}), a file, or a Buffer in a test.
 *
 * Entry boundaries are found by validating headers, not by trusting `\n` (a message may lack one, or contain
 * text that looks like a header). Walking back from a known boundary `b`, the previous entry is a well-formed header
 * at `q` with a plausible time whose size makes it end exactly at `b` (at the end of the file it may also run past
 * the end: the writer is mid-entry or the file was cut). A candidate is believed when it is at offset 0 or has such
 * a predecessor itself; this is what tells a real header from one quoted inside a message (a container that prints
 * an iolog file). When no header ends at `b`, the bytes before `b` are garbage and the nearest believable header
 * that ends before `b` is taken, as the forward reader would resynchronise.
 *
 * The result is always the offset of a header (or the end of the file), so the forward reader starting there
 * yields exactly the entries counted here.
 */
import {
  ENCODED_HEADER_LENGTH,
  HEADER_PADDING,
  MAX_ENTRY_LENGTH,
  decodeHeaderInto,
  newRawHeader,
  rawSize,
  rawTime,
  type RawHeader,
} from './header.js'

export interface TailQuery {
  /** Keep at most this many entries from the end (docker's `tail`); absent: no limit. */
  tail?: number
  /**
   * Keep only the trailing entries written after this time (nanoseconds since the epoch). Like VIC, the walk
   * stops at the first entry from the end that is not after it, so a clock that went backwards ends it early.
   */
  since?: bigint
  /** Headers with times outside `[min, max]` are not believed. Default: after the epoch, within int64. */
  plausibleTime?: { min: bigint; max: bigint }
  /** Size of the first read from the end; later reads double, up to 1 MiB. Default 16 KiB. */
  readSize?: number
  /** How much unparseable data to look through for the previous entry before giving up. Default 1 MiB. */
  maxGarbage?: number
}

/** A byte range `[start, end)` of the file. */
export interface ByteRange {
  start: number
  end: number
}

const DEFAULT_READ_SIZE = 16 * 1024
const MAX_READ_SIZE = 1024 * 1024
const DEFAULT_MAX_GARBAGE = 1024 * 1024
const PLAUSIBLE_TIME = { min: 1n, max: (1n << 63n) - 1n }

/**
 * The offset to read from: the start of the earliest entry that the query keeps, or `fileSize` when it keeps
 * none. With neither `tail` nor `since`, 0. For `tail: 0` the offset is where the next entry will start (before
 * an entry still being written), which is where a follower begins.
 */
export function* searchTail(fileSize: number, query: TailQuery): Generator<ByteRange, number, Buffer> {
  const { tail, since } = query
  if (tail === undefined && since === undefined) return 0
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) {
    throw new RangeError(`tail must be a whole number ≥ 0, not ${tail}`)
  }
  const walker = new BackwardWalker(fileSize, query)
  let boundary = fileSize
  let kept = 0
  for (;;) {
    if (boundary === 0) return 0
    const entry = yield* walker.previousEntry(boundary)
    if (entry === undefined) return boundary
    if (tail === 0) return entry.end > fileSize ? entry.start : Math.min(entry.end, fileSize)
    if (since !== undefined && entry.time <= since) return boundary
    kept++
    boundary = entry.start
    if (kept === tail) return boundary
  }
}

export type RangeReader = (start: number, end: number) => Promise<Uint8Array> | Uint8Array

/** Runs {@link searchTail} with `read` fetching each range it asks for. */
export async function findTailOffset(fileSize: number, read: RangeReader, query: TailQuery): Promise<number> {
  const search = searchTail(fileSize, query)
  let step = search.next()
  while (!step.done) {
    const bytes = await read(step.value.start, step.value.end)
    step = search.next(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))
  }
  return step.value
}

interface FoundEntry {
  start: number
  /** where its message ends; past the end of the file for a cut last entry */
  end: number
  time: bigint
}

/** The bytes read so far (a suffix of the file up to the current boundary) and the search over them. */
class BackwardWalker {
  /** Bytes `[windowStart, windowStart + window.length)` of the file. */
  private window: Buffer = Buffer.alloc(0)
  private windowStart: number
  private nextRead: number
  private readonly header: RawHeader = newRawHeader()
  private readonly minTime: bigint
  private readonly maxTime: bigint
  private readonly maxGarbage: number

  constructor(
    private readonly fileSize: number,
    query: TailQuery,
  ) {
    this.windowStart = fileSize
    this.nextRead = Math.max(1, query.readSize ?? DEFAULT_READ_SIZE)
    this.minTime = (query.plausibleTime ?? PLAUSIBLE_TIME).min
    this.maxTime = (query.plausibleTime ?? PLAUSIBLE_TIME).max
    this.maxGarbage = query.maxGarbage ?? DEFAULT_MAX_GARBAGE
  }

  /** The entry before `boundary`, or undefined when none can be found. */
  *previousEntry(boundary: number): Generator<ByteRange, FoundEntry | undefined, Buffer> {
    const atEnd = boundary === this.fileSize
    // an entry that ends exactly at the boundary (or runs past the end of the file)
    yield* this.cover(boundary - 2 * MAX_ENTRY_LENGTH, boundary)
    let unconfirmed: FoundEntry | undefined
    for (const q of this.candidates(boundary - ENCODED_HEADER_LENGTH, boundary - MAX_ENTRY_LENGTH)) {
      const entry = this.entryAt(q)
      if (entry === undefined || !(entry.end === boundary || (atEnd && entry.end > boundary))) continue
      if (this.hasPredecessor(q)) return entry
      unconfirmed ??= entry
    }
    // Garbage before the boundary (or a header cut by the end of the file). An unconfirmed candidate is the entry
    // right after the garbage only if it lies beyond the last believable entry; inside that entry's message it is
    // text that happens to look like a header.
    const before = yield* this.believableEntryBefore(boundary)
    if (before === undefined) return unconfirmed
    return unconfirmed !== undefined && unconfirmed.start >= before.end ? unconfirmed : before
  }

  /** The nearest entry that ends before `boundary` and has a predecessor, within `maxGarbage`. */
  private *believableEntryBefore(boundary: number): Generator<ByteRange, FoundEntry | undefined, Buffer> {
    let from = boundary - ENCODED_HEADER_LENGTH - 1
    const lowest = Math.max(0, boundary - this.maxGarbage - MAX_ENTRY_LENGTH)
    while (from >= lowest) {
      const to = Math.max(lowest, from - MAX_READ_SIZE)
      yield* this.cover(to - MAX_ENTRY_LENGTH, boundary)
      for (const q of this.candidates(from, to)) {
        const entry = this.entryAt(q)
        if (entry !== undefined && entry.end < boundary && this.hasPredecessor(q)) return entry
      }
      from = to - 1
    }
    return undefined
  }

  /** Offsets in `[low, high]` where a header's padding is, nearest to `high` first (window must cover them). */
  private *candidates(high: number, low: number): Generator<number, void, void> {
    const floor = Math.max(0, low)
    let pad = high + 14 - this.windowStart
    while (pad >= 0) {
      pad = this.window.lastIndexOf(HEADER_PADDING, pad)
      const q = pad - 14 + this.windowStart
      if (pad < 0 || q < floor) return
      yield q
      pad--
    }
  }

  /** The entry whose header is at `q`, if the header is well-formed and its time plausible. */
  private entryAt(q: number): FoundEntry | undefined {
    const at = q - this.windowStart
    if (at < 0 || at + ENCODED_HEADER_LENGTH > this.window.length) return undefined
    if (!decodeHeaderInto(this.window, at, this.header)) return undefined
    const time = rawTime(this.header)
    if (time < this.minTime || time > this.maxTime) return undefined
    return { start: q, end: q + ENCODED_HEADER_LENGTH + rawSize(this.header), time }
  }

  /** Whether an entry ends exactly at `q` (or `q` is the start of the file). */
  private hasPredecessor(q: number): boolean {
    if (q === 0) return true
    for (const p of this.candidates(q - ENCODED_HEADER_LENGTH, q - MAX_ENTRY_LENGTH)) {
      if (this.entryAt(p)?.end === q) return true
    }
    return false
  }

  /**
   * Reads backwards until the window starts at or before `from`, keeping only bytes before `keepEnd` (nothing
   * after the current boundary is needed again), so memory stays at about one read.
   */
  private *cover(from: number, keepEnd: number): Generator<ByteRange, void, Buffer> {
    const target = Math.max(0, from)
    if (this.windowStart <= target) return
    const start = Math.max(0, Math.min(target, this.windowStart - this.nextRead))
    const end = this.windowStart
    const bytes = yield { start, end }
    if (bytes.length !== end - start) {
      throw new Error(`iolog tail: asked for ${end - start} bytes at ${start}, got ${bytes.length}`)
    }
    this.nextRead = Math.min(MAX_READ_SIZE, this.nextRead * 2)
    const kept = this.window.subarray(0, Math.max(0, keepEnd - this.windowStart))
    this.window = kept.length === 0 ? bytes : Buffer.concat([bytes, kept])
    this.windowStart = start
  }
}
