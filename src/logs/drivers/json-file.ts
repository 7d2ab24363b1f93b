/**
 * The `json-file` format: one JSON object per entry and line, `{"log":…,"stream":"stdout"|"stderr","time":…}`,
 * byte for byte what docker's json-file log driver writes, so a persona can pass the lines on as docker would:
 * fields in that order (`log` left out for an empty message), the time as Go's RFC3339Nano in UTC, and docker's
 * escaping of the message: `\\`, `\"`, `\n` and `\r` as such, every other control character and `<`, `>`, `&` as
 * `\u00XX`, U+2028 and U+2029 escaped, each byte that is not part of valid UTF-8 as `\ufffd` (a character cut in two
 * by the 4095-byte entry limit shows so on both sides, as docker's 16 KiB partial messages do), the rest as it is.
 * Every line carries its time, so a log without entry times (data version 0) cannot be served in this format.
 *
 * Lines are written byte by byte into the output buffer; the time comes from the iolog timestamp writer with its
 * trailing zeros cut.
 */
import { splitTime, TIMESTAMP_PREFIX_LENGTH, TimestampWriter, type LogEntry } from '../iolog/index.js'
import { LogError } from '../errors.js'
import { EntryWriter } from './entry-writer.js'
import { booleanOption, type LogDriver, type LogFormat } from './registry.js'

const name = 'json-file'

export const jsonFileDriver: LogDriver = {
  name,
  description: 'docker json-file lines {log, stream, time} (application/x-ndjson)',
  options: { timestamps: 'accepted only as false: every line already carries its time' },
  create(options): LogFormat {
    if (booleanOption(name, 'timestamps', options, false)) {
      throw new LogError(
        'invalid_log_option',
        "log format json-file puts each entry's time in the line's `time` field: leave out timestamps",
      )
    }
    return {
      contentType: 'application/x-ndjson',
      entries: () => new JsonFileWriter(),
      needsTimes: 'format json-file',
    }
  },
}

const LOG = Buffer.from('"log":')
const STREAM = { stdout: Buffer.from('"stream":"stdout","time":"'), stderr: Buffer.from('"stream":"stderr","time":"') }
const END = Buffer.from('Z"}\n')
const OPEN_BRACE = 0x7b
const COMMA = 0x2c
const QUOTE = 0x22
const BACKSLASH = 0x5c
const ZERO = 0x30
const DOT = 0x2e
const HEX = Buffer.from('0123456789abcdef')
const REPLACEMENT = Buffer.from('\\ufffd')
/** Per ASCII byte: 0 to copy it, the letter of its short escape (`\n`), or 1 for `\u00XX`. */
const ESCAPE = new Uint8Array(128)
for (let c = 0; c < 0x20; c++) ESCAPE[c] = 1
for (const c of '<>&') ESCAPE[c.charCodeAt(0)] = 1
for (const [c, letter] of [[0x0a, 'n'], [0x0d, 'r'], [QUOTE, '"'], [BACKSLASH, '\\']] as const) ESCAPE[c] = letter.charCodeAt(0)
/** Everything but the message: braces, names, the longest time. */
const FIXED = 1 + LOG.length + 1 + STREAM.stdout.length + TIMESTAMP_PREFIX_LENGTH + END.length

/** One json-file line for an entry (for tests and single entries; the writer below builds them in place). */
export function jsonFileLine(entry: LogEntry): string {
  const out = Buffer.allocUnsafe(lineRoom(entry))
  return out.toString('utf8', 0, writeLine(entry, out, 0, new TimestampWriter()))
}

/** The most a line can take: every message byte may become a six-byte escape. */
function lineRoom(entry: LogEntry): number {
  return FIXED + 6 * entry.message.length + 2
}

function writeLine(entry: LogEntry, out: Buffer, start: number, stamps: TimestampWriter): number {
  let at = start
  out[at++] = OPEN_BRACE
  if (entry.message.length > 0) {
    at += LOG.copy(out, at)
    at = writeString(entry.message, out, at)
    out[at++] = COMMA
  }
  at += STREAM[entry.stream].copy(out, at)
  // the fixed-width time `2006-01-02T15:04:05.000000000Z ` with its zeros, dot, Z and space cut back
  const { timeHigh, timeLow } = splitTime(entry.time)
  let end = stamps.write(out, at, timeHigh, timeLow) - 2
  while (out[end - 1] === ZERO) end--
  if (out[end - 1] === DOT) end--
  return end + END.copy(out, end)
}

/** The message as a JSON string, quoted and escaped as docker escapes it. */
function writeString(message: Buffer, out: Buffer, start: number): number {
  let at = start
  out[at++] = QUOTE
  const length = message.length
  for (let i = 0; i < length; ) {
    const c = message[i]!
    if (c < 0x80) {
      const escape = ESCAPE[c]!
      if (escape === 0) {
        out[at++] = c
      } else if (escape === 1) {
        at = writeUnicodeEscape(out, at, c)
      } else {
        out[at++] = BACKSLASH
        out[at++] = escape
      }
      i++
      continue
    }
    const size = utf8Size(message, i)
    if (size === 0) {
      at += REPLACEMENT.copy(out, at)
      i++
    } else if (size === 3 && c === 0xe2 && message[i + 1] === 0x80 && (message[i + 2]! & 0xfe) === 0xa8) {
      // U+2028 and U+2029 end lines in JavaScript source; docker escapes them
      at = writeUnicodeEscape(out, at, message[i + 2] === 0xa8 ? 0x2028 : 0x2029)
      i += 3
    } else {
      for (const end = i + size; i < end; i++) out[at++] = message[i]!
    }
  }
  out[at++] = QUOTE
  return at
}

/** `\uXXXX` for a code point below U+10000. */
function writeUnicodeEscape(out: Buffer, at: number, code: number): number {
  out[at++] = BACKSLASH
  out[at++] = 0x75 // u
  out[at++] = HEX[(code >> 12) & 15]!
  out[at++] = HEX[(code >> 8) & 15]!
  out[at++] = HEX[(code >> 4) & 15]!
  out[at++] = HEX[code & 15]!
  return at
}

/**
 * The length of the valid UTF-8 sequence starting at `i` (its first byte ≥ 0x80), or 0 when there is none: a
 * stray continuation byte, an overlong form, a surrogate, a code point beyond U+10FFFF, or a sequence cut short.
 * Each byte of an invalid sequence is then replaced on its own, as Go's utf8.DecodeRune has docker do.
 */
function utf8Size(bytes: Buffer, i: number): number {
  const c = bytes[i]!
  const continuation = (at: number, low = 0x80, high = 0xbf): boolean => {
    const b = bytes[at]
    return b !== undefined && b >= low && b <= high
  }
  if (c < 0xc2) return 0
  if (c < 0xe0) return continuation(i + 1) ? 2 : 0
  if (c < 0xf0) {
    const second = c === 0xe0 ? continuation(i + 1, 0xa0) : c === 0xed ? continuation(i + 1, 0x80, 0x9f) : continuation(i + 1)
    return second && continuation(i + 2) ? 3 : 0
  }
  if (c < 0xf5) {
    const second = c === 0xf0 ? continuation(i + 1, 0x90) : c === 0xf4 ? continuation(i + 1, 0x80, 0x8f) : continuation(i + 1)
    return second && continuation(i + 2) && continuation(i + 3) ? 4 : 0
  }
  return 0
}

class JsonFileWriter extends EntryWriter {
  private readonly stamps = new TimestampWriter()

  protected room(entry: LogEntry): number {
    return lineRoom(entry)
  }

  protected encode(entry: LogEntry, out: Buffer, at: number): number {
    return writeLine(entry, out, at, this.stamps)
  }
}
