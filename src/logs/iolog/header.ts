/**
 * The iolog entry header, pure. VIC's tether writes a container's output to `output.log` as entries: a 16-character
 * standard base64 text (with `==` padding) of a 10-byte little-endian header, then the message bytes. The header is
 * a uint64 time in nanoseconds since the epoch (read as int64, as VIC did) and a uint16 holding
 * `size << 4 | stream << 3 | flags` (12 bits of size, so a message is at most 4095 bytes; 3 reserved flag bits).
 *
 * A well-formed header is the canonical encoding: 14 base64 characters whose last one carries no stray bits, then
 * `==`. Readers use exactly this test to find entries again after garbage, so the hot path decodes straight from
 * the 16 bytes into numbers with a lookup table instead of going through strings.
 */

export type LogStream = 'stdout' | 'stderr'

/** Bytes of a base64-encoded header in the file. */
export const ENCODED_HEADER_LENGTH = 16
/** Bytes of a header before base64. */
export const HEADER_LENGTH = 10
/** The size field has 12 bits. */
export const MAX_MESSAGE_LENGTH = 4095
/** The longest entry on disk: header and a full message. */
export const MAX_ENTRY_LENGTH = ENCODED_HEADER_LENGTH + MAX_MESSAGE_LENGTH

const STREAM_BIT = 0b1000
const FLAG_BITS = 0b0111
const PAD = 0x3d // '='

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0))
/** character code → 6-bit value, or -1 for a byte outside the alphabet */
const DECODE = new Int8Array(256).fill(-1)
for (let i = 0; i < ENCODE.length; i++) DECODE[ENCODE[i]!] = i

/** Two pad characters: every header ends with them, so a search for this finds header candidates. */
export const HEADER_PADDING = Buffer.from('==')

export interface LogHeader {
  /** nanoseconds since the epoch */
  readonly time: bigint
  readonly stream: LogStream
  /** message bytes that follow the header, 0..4095 */
  readonly size: number
  /** the three reserved bits; VIC always wrote 0 */
  readonly flags?: number
}

/**
 * A header as plain numbers, filled in place by {@link decodeHeaderInto}: the readers decode millions of headers and
 * must not allocate (or touch BigInt) for each one.
 */
export interface RawHeader {
  /** high 32 bits of the time, signed */
  timeHigh: number
  /** low 32 bits of the time, unsigned */
  timeLow: number
  /** the uint16 `size << 4 | stream << 3 | flags` */
  bits: number
}

export function newRawHeader(): RawHeader {
  return { timeHigh: 0, timeLow: 0, bits: 0 }
}

export function rawSize(raw: RawHeader): number {
  return raw.bits >>> 4
}

export function rawStream(raw: RawHeader): LogStream {
  return raw.bits & STREAM_BIT ? 'stderr' : 'stdout'
}

export function rawTime(raw: RawHeader): bigint {
  return BigInt(raw.timeHigh) * 4294967296n + BigInt(raw.timeLow)
}

/**
 * Decodes the header that starts at `pos` (16 bytes must be there) into `out`. False when the bytes are not a
 * well-formed header; `out` is then unspecified.
 */
export function decodeHeaderInto(buf: Uint8Array, pos: number, out: RawHeader): boolean {
  if (buf[pos + 14] !== PAD || buf[pos + 15] !== PAD) return false
  const a0 = DECODE[buf[pos]!]!
  const a1 = DECODE[buf[pos + 1]!]!
  const a2 = DECODE[buf[pos + 2]!]!
  const a3 = DECODE[buf[pos + 3]!]!
  const b0 = DECODE[buf[pos + 4]!]!
  const b1 = DECODE[buf[pos + 5]!]!
  const b2 = DECODE[buf[pos + 6]!]!
  const b3 = DECODE[buf[pos + 7]!]!
  const c0 = DECODE[buf[pos + 8]!]!
  const c1 = DECODE[buf[pos + 9]!]!
  const c2 = DECODE[buf[pos + 10]!]!
  const c3 = DECODE[buf[pos + 11]!]!
  const d0 = DECODE[buf[pos + 12]!]!
  const d1 = DECODE[buf[pos + 13]!]!
  // -1 for any byte outside the alphabet makes the OR negative; the last character of a canonical encoding of 10
  // bytes has its low four bits clear.
  if ((a0 | a1 | a2 | a3 | b0 | b1 | b2 | b3 | c0 | c1 | c2 | c3 | d0 | d1) < 0 || (d1 & 15) !== 0) return false
  const a = (a0 << 18) | (a1 << 12) | (a2 << 6) | a3 // bytes 0..2
  const b = (b0 << 18) | (b1 << 12) | (b2 << 6) | b3 // bytes 3..5
  const c = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3 // bytes 6..8
  const d = (d0 << 2) | (d1 >>> 4) // byte 9
  out.timeLow = ((a >>> 16) | (a & 0xff00) | ((a & 0xff) << 16) | ((b >>> 16) << 24)) >>> 0
  out.timeHigh = ((b >>> 8) & 0xff) | ((b & 0xff) << 8) | ((c >>> 16) << 16) | (((c >>> 8) & 0xff) << 24)
  out.bits = (c & 0xff) | (d << 8)
  return true
}

/** Writes the 16-character encoding of a header at `pos`. */
export function encodeHeaderInto(
  target: Uint8Array,
  pos: number,
  timeHigh: number,
  timeLow: number,
  bits: number,
): void {
  const b0 = timeLow & 0xff
  const b1 = (timeLow >>> 8) & 0xff
  const b2 = (timeLow >>> 16) & 0xff
  const b3 = timeLow >>> 24
  const b4 = timeHigh & 0xff
  const b5 = (timeHigh >>> 8) & 0xff
  const b6 = (timeHigh >>> 16) & 0xff
  const b7 = (timeHigh >>> 24) & 0xff
  const b8 = bits & 0xff
  const b9 = (bits >>> 8) & 0xff
  encodeTriple(target, pos, b0, b1, b2)
  encodeTriple(target, pos + 4, b3, b4, b5)
  encodeTriple(target, pos + 8, b6, b7, b8)
  target[pos + 12] = ENCODE[b9 >>> 2]!
  target[pos + 13] = ENCODE[(b9 & 3) << 4]!
  target[pos + 14] = PAD
  target[pos + 15] = PAD
}

function encodeTriple(target: Uint8Array, pos: number, x: number, y: number, z: number): void {
  target[pos] = ENCODE[x >>> 2]!
  target[pos + 1] = ENCODE[((x & 3) << 4) | (y >>> 4)]!
  target[pos + 2] = ENCODE[((y & 15) << 2) | (z >>> 6)]!
  target[pos + 3] = ENCODE[z & 63]!
}

/** The uint16 of a header. */
export function headerBits(size: number, stream: LogStream, flags = 0): number {
  if (!Number.isInteger(size) || size < 0 || size > MAX_MESSAGE_LENGTH) {
    throw new RangeError(`an iolog message holds 0..${MAX_MESSAGE_LENGTH} bytes, not ${size}`)
  }
  return (size << 4) | (stream === 'stderr' ? STREAM_BIT : 0) | (flags & FLAG_BITS)
}

/** Splits an int64 nanosecond time into the two 32-bit halves the codec works with. */
export function splitTime(time: bigint): { timeHigh: number; timeLow: number } {
  const t = BigInt.asIntN(64, time)
  return { timeHigh: Number(t >> 32n), timeLow: Number(t & 0xffffffffn) }
}

/** The 16 header bytes as they appear in the file. */
export function encodeHeader(header: LogHeader): Buffer {
  const out = Buffer.allocUnsafe(ENCODED_HEADER_LENGTH)
  const { timeHigh, timeLow } = splitTime(header.time)
  encodeHeaderInto(out, 0, timeHigh, timeLow, headerBits(header.size, header.stream, header.flags))
  return out
}

/** The header at `offset`, or undefined when fewer than 16 bytes are there or they are not a well-formed header. */
export function decodeHeader(buf: Uint8Array, offset = 0): LogHeader | undefined {
  if (offset < 0 || offset + ENCODED_HEADER_LENGTH > buf.length) return undefined
  const raw = newRawHeader()
  if (!decodeHeaderInto(buf, offset, raw)) return undefined
  return { time: rawTime(raw), stream: rawStream(raw), size: rawSize(raw), flags: raw.bits & FLAG_BITS }
}
