/**
 * Entry times as text, pure: `2006-01-02T15:04:05.000000000Z`, Go's RFC3339NanoFixed in UTC. The nanoseconds are
 * always nine digits so that `docker logs --timestamps` lines align, which is what VIC's reader printed before each
 * entry (followed by a space).
 *
 * The reader stamps every entry of a multi-GB log, so {@link TimestampWriter} writes the bytes straight into an
 * output buffer from the two 32-bit halves of the time, and reuses the date-and-seconds part while consecutive
 * entries fall in the same second.
 */

/** Characters of a formatted time. */
export const TIMESTAMP_LENGTH = 30
/** The time and the space that separates it from the message. */
export const TIMESTAMP_PREFIX_LENGTH = TIMESTAMP_LENGTH + 1

const NS_PER_SECOND = 1_000_000_000n
const TWO_32_MOD_1E9 = Number((1n << 32n) % NS_PER_SECOND)
const TWO_48_MOD_1E9 = Number((1n << 48n) % NS_PER_SECOND)
/** `2006-01-02T15:04:05.` */
const SECONDS_PART_LENGTH = 20

/** The time (nanoseconds since the epoch, read as int64) as Go's RFC3339NanoFixed in UTC. */
export function formatTimestamp(time: bigint): string {
  const t = BigInt.asIntN(64, time)
  let seconds = t / NS_PER_SECOND
  let nanos = t % NS_PER_SECOND
  if (nanos < 0n) {
    nanos += NS_PER_SECOND
    seconds -= 1n
  }
  return secondsPart(Number(seconds)) + nanos.toString().padStart(9, '0') + 'Z'
}

function secondsPart(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, SECONDS_PART_LENGTH - 1) + '.'
}

/** `00`…`99` as pairs of digit bytes. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10))

export class TimestampWriter {
  /** The second last formatted, as the two 32-bit halves of its first nanosecond. */
  private secondHigh = 0
  private secondLow = 0
  private secondKnown = false
  /** The prefix being built: the cached second's text, the nanoseconds of the latest entry, `Z` and a space. */
  private readonly prefix = Uint8Array.from(' '.repeat(TIMESTAMP_PREFIX_LENGTH), (c) => c.charCodeAt(0))

  constructor() {
    this.prefix[TIMESTAMP_LENGTH - 1] = 0x5a // 'Z'
  }

  /** Writes the time and a space at `pos`; returns the position after them. */
  write(target: Uint8Array, pos: number, timeHigh: number, timeLow: number): number {
    // nanoseconds into the cached second; exact, as both times are near each other
    let nanos = (timeHigh - this.secondHigh) * 4294967296 + (timeLow - this.secondLow)
    if (!this.secondKnown || nanos < 0 || nanos >= 1e9) {
      if (timeHigh < 0) {
        // before 1970: rare enough to take the general path
        Buffer.from(target.buffer, target.byteOffset, target.length).write(
          formatTimestamp(BigInt(timeHigh) * 4294967296n + BigInt(timeLow)) + ' ',
          pos,
          'latin1',
        )
        return pos + TIMESTAMP_PREFIX_LENGTH
      }
      nanos = this.enterSecond(timeHigh, timeLow)
    }
    // nine digits, two at a time from the right; then one native copy of the 31 bytes
    const p = this.prefix
    for (let at = SECONDS_PART_LENGTH + 7; at > SECONDS_PART_LENGTH; at -= 2) {
      const rest = (nanos / 100) | 0
      const pair = (nanos - rest * 100) << 1
      p[at] = DIGIT_PAIRS[pair]!
      p[at + 1] = DIGIT_PAIRS[pair + 1]!
      nanos = rest
    }
    p[SECONDS_PART_LENGTH] = 48 + nanos
    target.set(p, pos)
    return pos + TIMESTAMP_PREFIX_LENGTH
  }

  /** Caches the second that holds the (non-negative) time; returns the nanoseconds into it. */
  private enterSecond(timeHigh: number, timeLow: number): number {
    // time mod 1e9 from 16-bit pieces of the high half, so every product stays below 2^53 and is exact
    const nanos =
      ((timeHigh >>> 16) * TWO_48_MOD_1E9 + (timeHigh & 0xffff) * TWO_32_MOD_1E9 + timeLow) % 1_000_000_000
    // (time - nanos) is a whole number of seconds; the double arithmetic is off by far less than half a second
    const second = Math.round((timeHigh * 4294967296 + timeLow - nanos) / 1e9)
    const text = secondsPart(second)
    for (let i = 0; i < SECONDS_PART_LENGTH; i++) this.prefix[i] = text.charCodeAt(i)
    let low = timeLow - nanos
    let high = timeHigh
    if (low < 0) {
      low += 4294967296
      high -= 1
    }
    this.secondHigh = high
    this.secondLow = low
    this.secondKnown = true
    return nanos
  }
}
