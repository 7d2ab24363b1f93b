/**
 * Times in a logs request and in json-file output, pure. A client gives `since` and `until` as unix seconds with an
 * optional fraction (`1700000000`, `1700000000.25`, what docker's CLI sends) or as an RFC 3339 time
 * (`2023-11-14T22:13:20.5Z`, `…+02:00`); entries carry nanoseconds since the epoch, so both become that. json-file
 * lines print times as Go's RFC3339Nano (trailing zeros of the fraction dropped), as docker's json-file driver does.
 */
import { formatTimestamp } from './iolog/index.js'

const NS_PER_SECOND = 1_000_000_000n
const unixSeconds = /^(\d{1,12})(?:\.(\d{1,9}))?$/
const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/

/** Nanoseconds since the epoch, or undefined when `text` is neither form. */
export function parseLogTime(text: string): bigint | undefined {
  const unix = unixSeconds.exec(text)
  if (unix) return BigInt(unix[1]!) * NS_PER_SECOND + fraction(unix[2])
  const m = rfc3339.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  const check = new Date(ms)
  // Date.UTC rolls 31 February over into March; a real RFC 3339 date has no such day
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined
  }
  let offsetMinutes = 0
  if (m[9] !== undefined) {
    const hours = Number(m[10])
    const minutes = Number(m[11])
    if (hours > 23 || minutes > 59) return undefined
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (hours * 60 + minutes)
  }
  const seconds = BigInt(ms / 1000 - offsetMinutes * 60)
  return seconds * NS_PER_SECOND + fraction(m[7])
}

function fraction(digits: string | undefined): bigint {
  return digits === undefined ? 0n : BigInt(digits.padEnd(9, '0'))
}

/** Go's RFC3339Nano in UTC: `2023-11-14T22:13:20.5Z`, no fraction at all for a whole second. */
export function formatRfc3339Nano(time: bigint): string {
  const fixed = formatTimestamp(time)
  // `….123456789Z`: drop trailing zeros of the nine digits, and the dot when none are left
  let end = fixed.length - 1
  while (fixed.charCodeAt(end - 1) === 0x30) end--
  if (fixed.charCodeAt(end - 1) === 0x2e) end--
  return fixed.slice(0, end) + 'Z'
}
