/**
 * Keeps the entries a logs request asked for: written after `since`, up to `until`, on the chosen streams. Entries
 * arrive in file order, which is time order, so the first entry after `until` means nothing later can match:
 * `onPastUntil` is called once then, and the reader can stop fetching (a follow ends there too).
 */
import { Transform, type TransformCallback } from 'node:stream'
import type { LogEntry } from './iolog/index.js'

export interface EntryFilterOptions {
  /** keep entries with a time after this (nanoseconds); VIC's reader also kept only those strictly after */
  readonly since?: bigint
  /** keep entries with a time up to and including this (nanoseconds), as docker's `--until` */
  readonly until?: bigint
  readonly streams: { readonly stdout: boolean; readonly stderr: boolean }
  readonly onPastUntil?: () => void
}

export class EntryFilter extends Transform {
  private past = false

  constructor(private readonly options: EntryFilterOptions) {
    super({ objectMode: true })
  }

  override _transform(entry: LogEntry, _encoding: BufferEncoding, callback: TransformCallback): void {
    const { since, until, streams } = this.options
    if (this.past) return callback()
    if (until !== undefined && entry.time > until) {
      this.past = true
      this.options.onPastUntil?.()
      return callback()
    }
    if ((since !== undefined && entry.time <= since) || !streams[entry.stream]) return callback()
    callback(null, entry)
  }
}
