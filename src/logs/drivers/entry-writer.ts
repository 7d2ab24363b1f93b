/**
 * The base of a format's entry transform: LogEntry objects in, bytes out, written straight into ~64 KiB output
 * buffers instead of one small Buffer per entry (a log has millions of entries, and a push per entry costs more
 * than the formatting). A full buffer goes out through the transform callback, so backpressure holds; a partial
 * one goes out once the burst of entries that filled it has been handled (the reader emits one burst per chunk of
 * the file), so a follow still delivers each new line at once.
 */
import { Transform, type TransformCallback } from 'node:stream'
import type { LogEntry } from '../iolog/index.js'

const BATCH = 64 * 1024

export abstract class EntryWriter extends Transform {
  #out: Buffer = Buffer.allocUnsafe(BATCH)
  #at = 0
  #scheduled = false

  constructor() {
    super({ writableObjectMode: true, readableObjectMode: false })
  }

  /** Writes the entry at `at` of `out`, which has at least `room(entry)` bytes free there; returns the new end. */
  protected abstract encode(entry: LogEntry, out: Buffer, at: number): number

  /** The most bytes `encode` can write for this entry. */
  protected abstract room(entry: LogEntry): number

  override _transform(entry: LogEntry, _encoding: BufferEncoding, callback: TransformCallback): void {
    const room = this.room(entry)
    let full: Buffer | undefined
    if (this.#at + room > this.#out.length) {
      full = this.#take()
      if (room > this.#out.length) this.#out = Buffer.allocUnsafe(room)
    }
    this.#at = this.encode(entry, this.#out, this.#at)
    if (full === undefined && this.#at >= BATCH / 2) full = this.#take()
    if (full !== undefined) {
      callback(null, full)
      return
    }
    if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => {
        this.#scheduled = false
        if (this.#at > 0 && !this.destroyed) this.push(this.#take())
      })
    }
    callback()
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.#at > 0 ? this.#take() : undefined)
  }

  #take(): Buffer {
    const taken = this.#out.subarray(0, this.#at)
    this.#out = Buffer.allocUnsafe(BATCH)
    this.#at = 0
    return taken
  }
}
