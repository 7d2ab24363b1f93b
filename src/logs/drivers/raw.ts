/**
 * The `raw` format: what the container wrote, stdout and stderr interleaved in the order they were written, as
 * VIC's logs endpoint served it. With `timestamps`, each entry is prefixed with its time (fixed-width RFC 3339 with
 * nanoseconds) and a space, like `docker logs --timestamps`. A log without entry headers (data version 0) is passed
 * through as it is, which is all VIC did for those containers; it has no times to print.
 */
import { PassThrough } from 'node:stream'
import {
  LogOutputReader,
  TIMESTAMP_PREFIX_LENGTH,
  TimestampWriter,
  splitTime,
  type LogEntry,
} from '../iolog/index.js'
import { EntryWriter } from './entry-writer.js'
import { booleanOption, type LogDriver, type LogFormat } from './registry.js'

const name = 'raw'

export const rawDriver: LogDriver = {
  name,
  description: 'the bytes the container wrote (application/octet-stream)',
  options: { timestamps: 'prefix each entry with its time (RFC 3339, nanoseconds) and a space; default false' },
  create(options): LogFormat {
    const timestamps = booleanOption(name, 'timestamps', options, false)
    return {
      contentType: 'application/octet-stream',
      entries: () => new RawEntryWriter(timestamps),
      framed: () => new LogOutputReader({ timestamps }),
      ...(timestamps ? { needsTimes: 'format raw with timestamps' } : { plain: () => new PassThrough() }),
    }
  },
}

class RawEntryWriter extends EntryWriter {
  private readonly stamps: TimestampWriter | undefined

  constructor(timestamps: boolean) {
    super()
    this.stamps = timestamps ? new TimestampWriter() : undefined
  }

  protected room(entry: LogEntry): number {
    return TIMESTAMP_PREFIX_LENGTH + entry.message.length
  }

  protected encode(entry: LogEntry, out: Buffer, at: number): number {
    if (this.stamps !== undefined) {
      const { timeHigh, timeLow } = splitTime(entry.time)
      at = this.stamps.write(out, at, timeHigh, timeLow)
    }
    return at + entry.message.copy(out, at)
  }
}
