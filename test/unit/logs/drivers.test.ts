// The log format registry and the two built-in formats: how a driver's options are validated (as docker's logger
// factory does), what raw and json-file write for entries, and that a new format is one object registered.
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { text } from 'node:stream/consumers'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { builtinLogDrivers, LogDriverRegistry, type LogDriver } from '../../../src/logs/drivers/index.js'
import { jsonFileLine } from '../../../src/logs/drivers/json-file.js'
import { LogError } from '../../../src/logs/errors.js'
import { encodeLog, type LogEntry } from '../../../src/logs/iolog/index.js'
import { formatRfc3339Nano } from '../../../src/logs/time.js'

const t0 = 1_700_000_000_000_000_000n
const entry = (message: string, time: bigint, stream: LogEntry['stream'] = 'stdout'): LogEntry => ({
  time,
  stream,
  message: Buffer.from(message),
})

/** Runs entries through a format's entry transform. */
const format = (transform: Transform, entries: LogEntry[]): Promise<string> =>
  text(Readable.from(entries).pipe(transform))

function refusal(fn: () => unknown): LogError {
  try {
    fn()
  } catch (err) {
    if (LogError.is(err)) return err
    throw err
  }
  throw new Error('expected a LogError')
}

describe('the registry', () => {
  const drivers = builtinLogDrivers()

  it('knows raw and json-file', () => {
    expect(drivers.names()).toEqual(['raw', 'json-file'])
  })

  it('refuses an unknown format, naming the ones there are', () => {
    const err = refusal(() => drivers.create('syslog'))
    expect(err.kind).toBe('unknown_log_format')
    expect(err.message).toBe("no log format named 'syslog': use one of 'raw', 'json-file'")
  })

  it('refuses an option the driver does not take before asking the driver', () => {
    const err = refusal(() => drivers.create('raw', { 'max-size': '10m' }))
    expect(err.kind).toBe('invalid_log_option')
    expect(err.message).toBe("unknown option 'max-size' for log format raw: it takes 'timestamps'")
  })

  it("lets the driver refuse a value of its own option", () => {
    expect(refusal(() => drivers.create('raw', { timestamps: 'yes' })).message).toMatch(/must be true or false, not 'yes'/)
    expect(refusal(() => drivers.create('json-file', { timestamps: 'true' })).message).toMatch(/leave out timestamps/)
    expect(drivers.create('json-file', { timestamps: 'false' }).contentType).toBe('application/x-ndjson')
  })

  it('takes a new format as one driver object, and refuses a second driver of the same name', async () => {
    const upper: LogDriver = {
      name: 'upper',
      description: 'shouting',
      options: {},
      create: () => ({
        contentType: 'text/plain',
        entries: () =>
          new Transform({
            writableObjectMode: true,
            transform(e: LogEntry, _enc, done: TransformCallback) {
              done(null, e.message.toString().toUpperCase())
            },
          }),
      }),
    }
    const registry = new LogDriverRegistry([upper])
    expect(await format(registry.create('upper').entries(), [entry('hi\n', t0)])).toBe('HI\n')
    expect(refusal(() => registry.create('upper', { x: '1' })).message).toBe(
      "unknown option 'x' for log format upper: it takes no options",
    )
    expect(() => registry.register(upper)).toThrow(/already registered/)
  })
})

describe('raw', () => {
  const drivers = builtinLogDrivers()
  const log = [entry('one\n', t0), entry('two\n', t0 + 1_500_000_000n, 'stderr'), entry('no newline', t0 + 2_000_000_007n)]

  it('writes the messages as they were written', async () => {
    expect(await format(drivers.create('raw').entries(), log)).toBe('one\ntwo\nno newline')
  })

  it('prefixes each entry with its fixed-width time and a space with timestamps', async () => {
    expect(await format(drivers.create('raw', { timestamps: 'true' }).entries(), log)).toBe(
      '2023-11-14T22:13:20.000000000Z one\n' +
        '2023-11-14T22:13:21.500000000Z two\n' +
        '2023-11-14T22:13:22.000000007Z no newline',
    )
  })

  it('writes the same from the iolog bytes as from the entries', async () => {
    const bytes = Buffer.concat(log.map((e) => encodeLog(e.message, { stream: e.stream, clock: () => e.time })))
    for (const options of [{}, { timestamps: 'true' }] as Array<Record<string, string>>) {
      const raw = drivers.create('raw', options)
      expect(await text(Readable.from([bytes]).pipe(raw.framed!()))).toBe(await format(raw.entries(), log))
    }
  })

  it('passes a log without entry headers through, unless it must print times', async () => {
    expect(await text(Readable.from([Buffer.from('plain\n')]).pipe(drivers.create('raw').plain!()))).toBe('plain\n')
    const stamped = drivers.create('raw', { timestamps: '1' })
    expect(stamped.plain).toBeUndefined()
    expect(stamped.needsTimes).toBe('format raw with timestamps')
  })
})

describe('json-file', () => {
  const drivers = builtinLogDrivers()

  it("writes docker's json-file lines: log, stream, time as RFC3339Nano without trailing zeros", async () => {
    const out = await format(drivers.create('json-file').entries(), [
      entry('one\n', t0),
      entry('two\n', t0 + 1_500_000_000n, 'stderr'),
      entry('three\n', t0 + 2_000_000_007n),
    ])
    expect(out).toBe(
      '{"log":"one\\n","stream":"stdout","time":"2023-11-14T22:13:20Z"}\n' +
        '{"log":"two\\n","stream":"stderr","time":"2023-11-14T22:13:21.5Z"}\n' +
        '{"log":"three\\n","stream":"stdout","time":"2023-11-14T22:13:22.000000007Z"}\n',
    )
  })

  it('escapes the message as docker does', () => {
    const body = (message: string | Buffer) =>
      jsonFileLine({ time: t0, stream: 'stdout', message: Buffer.from(message) }).slice(0, -',"stream":"stdout","time":"2023-11-14T22:13:20Z"}\n'.length)
    expect(body('A log line with & < >')).toBe('{"log":"A log line with \\u0026 \\u003c \\u003e"')
    expect(body('tab\t"quote" back\\slash \r\n')).toBe('{"log":"tab\\u0009\\"quote\\" back\\\\slash \\r\\n"')
    expect(body('bell\u0007 del\u007f')).toBe('{"log":"bell\\u0007 del\u007f"')
    expect(body('utf8 ψ ω 🚀 line\u2028para\u2029')).toBe('{"log":"utf8 ψ ω 🚀 line\\u2028para\\u2029"')
    expect(body(Buffer.from([0x61, 0xe2, 0x82, 0x62, 0xff, 0xc0, 0xaf]))).toBe('{"log":"a\\ufffd\\ufffdb\\ufffd\\ufffd\\ufffd"')
  })

  it('leaves out log for an empty message, as docker does', () => {
    expect(jsonFileLine({ time: t0, stream: 'stderr', message: Buffer.alloc(0) })).toBe(
      '{"stream":"stderr","time":"2023-11-14T22:13:20Z"}\n',
    )
  })

  it('cannot serve a log without entry times', () => {
    const json = drivers.create('json-file')
    expect(json.plain).toBeUndefined()
    expect(json.framed).toBeUndefined()
  })
})

/**
 * What a json-file line's `log` should read as: the bytes decoded one character at a time, each byte that does not
 * start a valid UTF-8 sequence replaced on its own (Go's rule; a strict TextDecoder judges validity).
 */
function decodedAsDocker(bytes: Buffer): string {
  const strict = new TextDecoder('utf-8', { fatal: true })
  let text = ''
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i]!
    const size = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2
    try {
      text += strict.decode(bytes.subarray(i, i + size))
      if (i + size > bytes.length) throw new Error('cut')
      i += size
    } catch {
      text += '\ufffd'
      i++
    }
  }
  return text
}

describe('json-file lines as JSON', () => {
  it('parse back to the message (invalid bytes as U+FFFD), the stream and RFC3339Nano, for any bytes and time', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 64 }),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 32 }).map((s) => new TextEncoder().encode(s)),
        ),
        fc.bigInt({ min: 0n, max: 7_258_118_400_000_000_000n }),
        fc.constantFrom<LogEntry['stream']>('stdout', 'stderr'),
        (bytes, time, stream) => {
          const message = Buffer.from(bytes)
          const line = jsonFileLine({ time, stream, message })
          expect(line.endsWith('}\n')).toBe(true)
          expect(JSON.parse(line)).toEqual({ log: decodedAsDocker(message), stream, time: formatRfc3339Nano(time) })
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('keeps its lines whole when many entries are batched, and across batches', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => entry(`${'m'.repeat(i % 97)}${i}\n`, t0 + BigInt(i)))
    const out = await format(builtinLogDrivers().create('json-file').entries(), many)
    const parsed = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { log: string })
    expect(parsed.map((p) => p.log)).toEqual(many.map((e) => e.message.toString()))
  })
})
