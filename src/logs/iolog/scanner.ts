/**
 * Finding entries in an iolog byte stream, pure and incremental: the core both readers share. Chunks arrive as a
 * file or HTTP body delivers them, so a header or a message may be cut anywhere; the scanner keeps at most 15 bytes
 * of an unfinished header and one unfinished message (≤ 4095 bytes) between chunks, whatever the input size.
 *
 * Garbage (bytes that are not a well-formed header where one is expected) is skipped the way VIC's reader does it,
 * by moving the window forward and trying again. VIC moved it by the number of bytes its base64 decoder had
 * accepted plus one, which can step over a real header; here the window moves to the next place where a
 * well-formed header could start (every header ends in `==`, so a native `indexOf` finds the candidates).
 *
 * Entries are handed to a visitor as numbers and a byte range of either the chunk itself or the scanner's buffer
 * for a message that spanned chunks, so that a reader decides what (if anything) to allocate.
 */
import {
  ENCODED_HEADER_LENGTH,
  HEADER_PADDING,
  decodeHeaderInto,
  newRawHeader,
  rawSize,
  type RawHeader,
} from './header.js'

/**
 * Called once per entry, in order. `stream` is 0 for stdout and 1 for stderr. The message is `source[start, end)`:
 * a range of the chunk given to `write`, or a buffer of its own for a message that spanned chunks. The scanner
 * never touches either again, so a visitor may keep views of them.
 */
export type EntryVisitor = (
  timeHigh: number,
  timeLow: number,
  stream: number,
  source: Buffer,
  start: number,
  end: number,
) => void

export class EntryScanner {
  private readonly header: RawHeader = newRawHeader()
  /**
   * The start of a header cut by the end of the last chunk: `carried` (< 16) bytes at the front of `head`, whose
   * other 16 bytes take the start of the next chunk. Kept in place, as allocating a small Buffer costs more here
   * than the rest of the work on a chunk boundary.
   */
  private readonly head = Buffer.alloc(2 * ENCODED_HEADER_LENGTH - 1)
  private carried = 0
  /** A message cut by the end of the last chunk, and how much of it has arrived. */
  private partial: Buffer | undefined
  private partialFilled = 0
  private partialHigh = 0
  private partialLow = 0
  private partialBits = 0

  constructor(private readonly visit: EntryVisitor) {}

  write(chunk: Buffer): void {
    const len = chunk.length
    let pos = 0
    if (this.partial !== undefined) {
      pos = this.continuePartial(chunk)
      if (this.partial !== undefined) return
    } else if (this.carried > 0) {
      pos = this.continueCarry(chunk)
      if (pos < 0) return
    }
    const header = this.header
    for (;;) {
      pos = findHeader(chunk, pos, header)
      if (pos + ENCODED_HEADER_LENGTH > len) break
      pos = this.take(chunk, pos + ENCODED_HEADER_LENGTH)
    }
    this.carried = chunk.copy(this.head, 0, pos)
  }

  /** End of input: a message cut short is delivered with the bytes that arrived; a cut header is dropped. */
  end(): void {
    const partial = this.partial
    this.partial = undefined
    this.carried = 0
    if (partial !== undefined && this.partialFilled > 0) {
      this.visit(this.partialHigh, this.partialLow, (this.partialBits >>> 3) & 1, partial, 0, this.partialFilled)
    }
  }

  /**
   * Delivers the entry whose header is in `this.header` and whose message starts at `start`, or keeps its first
   * part when the chunk ends before the message does. Returns where the next header should be.
   */
  private take(chunk: Buffer, start: number): number {
    const header = this.header
    const end = start + rawSize(header)
    if (end <= chunk.length) {
      this.visit(header.timeHigh, header.timeLow, (header.bits >>> 3) & 1, chunk, start, end)
      return end
    }
    const partial = Buffer.allocUnsafe(end - start)
    this.partialFilled = chunk.copy(partial, 0, start)
    this.partialHigh = header.timeHigh
    this.partialLow = header.timeLow
    this.partialBits = header.bits
    this.partial = partial
    return chunk.length
  }

  /** Returns the position after the rest of the cut message; `this.partial` stays set if the chunk did not hold it. */
  private continuePartial(chunk: Buffer): number {
    const partial = this.partial!
    const n = chunk.copy(partial, this.partialFilled, 0, Math.min(chunk.length, partial.length - this.partialFilled))
    this.partialFilled += n
    if (this.partialFilled < partial.length) return n
    this.partial = undefined
    this.visit(this.partialHigh, this.partialLow, (this.partialBits >>> 3) & 1, partial, 0, partial.length)
    return n
  }

  /**
   * Looks for a header that starts in the carried bytes and ends in this chunk. Returns where scanning of the chunk
   * goes on, or -1 when the chunk was too short to decide and has been added to the carry.
   */
  private continueCarry(chunk: Buffer): number {
    const carried = this.carried
    const length = carried + chunk.copy(this.head, carried, 0, ENCODED_HEADER_LENGTH)
    const head = length === this.head.length ? this.head : this.head.subarray(0, length)
    this.carried = 0
    const at = findHeader(head, 0, this.header)
    if (at >= carried) return at - carried
    if (at + ENCODED_HEADER_LENGTH > length) {
      head.copyWithin(0, at, length)
      this.carried = length - at
      return -1
    }
    return this.take(chunk, at + ENCODED_HEADER_LENGTH - carried)
  }
}

/**
 * The first position at or after `from` where a well-formed header starts, with the header decoded into `out`; or,
 * when no header fits in the buffer, the first position that could still start one once more bytes arrive
 * (then `position + 16 > buf.length`).
 */
export function findHeader(buf: Buffer, from: number, out: RawHeader): number {
  const len = buf.length
  if (from + ENCODED_HEADER_LENGTH > len) return from
  if (decodeHeaderInto(buf, from, out)) return from
  let next = from + 1
  for (;;) {
    const pad = buf.indexOf(HEADER_PADDING, next + 14)
    if (pad < 0) return Math.max(next, len - (ENCODED_HEADER_LENGTH - 1))
    const start = pad - 14
    if (decodeHeaderInto(buf, start, out)) return start
    next = start + 1
  }
}
