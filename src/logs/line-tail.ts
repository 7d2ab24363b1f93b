/**
 * Where to start reading a log without entry headers (data version 0: plain bytes) to get its last N lines, found
 * by reading backwards from the end in growing ranges, so `tail=10` of a large log reads kilobytes. Pure: like the
 * iolog tail search it is a generator that yields the ranges it needs and is resumed with their bytes.
 *
 * A line ends with `\n`; an unfinished last line (no `\n` yet) counts as a line.
 */
import type { ByteRange, RangeReader } from './iolog/index.js'

const FIRST_READ = 16 * 1024
const MAX_READ = 1024 * 1024
const NEWLINE = 0x0a

/** The offset of the first of the last `lines` lines; 0 when the file has no more than that, `size` for 0 lines. */
export function* searchLineTail(size: number, lines: number): Generator<ByteRange, number, Buffer> {
  if (!Number.isSafeInteger(lines) || lines < 0) throw new RangeError(`lines must be a whole number ≥ 0, not ${lines}`)
  if (lines === 0 || size === 0) return size
  let end = size
  let readSize = FIRST_READ
  // newlines still to pass; the one that ends the file ends the last line, so it is not a boundary
  let wanted = lines
  let first = true
  while (end > 0) {
    const start = Math.max(0, end - readSize)
    const bytes = yield { start, end }
    if (bytes.length !== end - start) throw new Error(`line tail: asked for ${end - start} bytes at ${start}, got ${bytes.length}`)
    let at = bytes.length - 1
    if (first && bytes[at] === NEWLINE) at--
    first = false
    for (; at >= 0; at--) {
      if (bytes[at] !== NEWLINE) continue
      if (--wanted === 0) return start + at + 1
    }
    end = start
    readSize = Math.min(MAX_READ, readSize * 2)
  }
  return 0
}

/** Runs {@link searchLineTail} with `read` fetching each range. */
export async function findLineTailOffset(size: number, read: RangeReader, lines: number): Promise<number> {
  const search = searchLineTail(size, lines)
  let step = search.next()
  while (!step.done) {
    const bytes = await read(step.value.start, step.value.end)
    step = search.next(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))
  }
  return step.value
}
