/**
 * docker's multiplexed log stream, pure transforms: each entry becomes one frame, an 8-byte header (stream: 1 for
 * stdout, 2 for stderr; three zero bytes; the payload's length as a big-endian uint32) and the payload. The input
 * is the service's json-file lines (one `{log, stream, time}` per entry); with `timestamps` each payload starts
 * with the entry's time in docker's fixed-width RFC 3339 (nine fraction digits) and a space. A container with a
 * TTY gets the bare payloads, as docker sends them.
 */
import { Transform, type TransformCallback } from 'node:stream'

export function frame(stream: 'stdout' | 'stderr', payload: Buffer): Buffer {
  const header = Buffer.alloc(8)
  header[0] = stream === 'stdout' ? 1 : 2
  header.writeUInt32BE(payload.length, 4)
  return Buffer.concat([header, payload])
}

/** `2026-11-22T12:00:00.5Z` → `2026-11-22T12:00:00.500000000Z` */
export function fixedNano(time: string): string {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(time)
  if (!match) return time
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}Z`
}

export interface FrameOptions {
  timestamps: boolean
  /** a TTY container's output is sent without frame headers */
  tty: boolean
}

/** json-file lines in, docker frames out. */
export class JsonFileToFrames extends Transform {
  #pending = ''

  constructor(private readonly options: FrameOptions) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const lines = (this.#pending + chunk.toString('utf8')).split('\n')
    this.#pending = lines.pop() ?? ''
    for (const line of lines) this.#line(line)
    done()
  }

  override _flush(done: TransformCallback): void {
    if (this.#pending !== '') this.#line(this.#pending)
    done()
  }

  #line(line: string): void {
    if (line.trim() === '') return
    const entry = JSON.parse(line) as { log?: string; stream: 'stdout' | 'stderr'; time: string }
    const text = `${this.options.timestamps ? `${fixedNano(entry.time)} ` : ''}${entry.log ?? ''}`
    const payload = Buffer.from(text, 'utf8')
    this.push(this.options.tty ? payload : frame(entry.stream, payload))
  }
}

/** Raw bytes (a container whose log has no entry times or streams) in, stdout frames out. */
export class RawToFrames extends Transform {
  constructor(private readonly tty: boolean) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    done(null, this.tty ? chunk : frame('stdout', chunk))
  }
}
