/**
 * A log file on a datastore, read over vSphere's HTTP file interface (`/folder/<path>?dcPath=&dsName=`): its size
 * by HEAD, byte ranges by GET with `Range` (what the tail searches ask for), and {@link LogFileStream}, the file
 * from an offset onwards as a Node stream that can follow it as it grows. Every request and byte fetched is counted,
 * so a caller can tell (and log) how little a tail cost.
 *
 * Following is VIC's: every second ask for the size; read the range that is new; if the file shrank it was
 * truncated, so start again at 0. It ends when the stream is destroyed (the client left: the GET in flight is cut,
 * which closes its connection), when `stop()` is called, or when the follow signal aborts (the container stopped)
 * after one last read of what was written until then. A missing file is an empty one that may still appear.
 */
import { pipeline, Readable, Transform } from 'node:stream'
import { isFault, VimUnreachable, type ByteRange, type CallOptions, type DatastoreFile, type FileRead } from '../vim/index.js'

/** What a log needs of the datastore file interface (the vim client's `files`). */
export interface LogFileAccess {
  get(file: DatastoreFile, options?: CallOptions & { range?: ByteRange }): Promise<FileRead>
  size(file: DatastoreFile, options?: CallOptions): Promise<number>
}

export interface LogReadStats {
  /** HTTP requests sent (HEAD and GET) */
  requests: number
  /** bytes of file content received */
  bytes: number
}

export class DatastoreLog {
  readonly stats: LogReadStats = { requests: 0, bytes: 0 }

  constructor(
    private readonly access: LogFileAccess,
    readonly file: DatastoreFile,
    private readonly opId: string,
  ) {}

  /** The size in bytes, or undefined when the file does not exist. */
  async size(signal?: AbortSignal): Promise<number | undefined> {
    this.stats.requests++
    try {
      return await this.access.size(this.file, this.#call(signal))
    } catch (err) {
      if (isFault(err, 'FileNotFound')) return undefined
      throw err
    }
  }

  /** Bytes `[start, end)`, read whole (the tail searches ask for at most 1 MiB at a time). */
  async range(start: number, end: number, signal?: AbortSignal): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0)
    const read = await this.open(start, end, signal)
    if (read === undefined) return Buffer.alloc(0)
    const chunks: Buffer[] = []
    for await (const chunk of read) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }

  /**
   * The file from `start` (to `end`, exclusive, or to its current end) as a stream of its bytes, counted as they
   * arrive; undefined when the file does not exist.
   */
  async open(start: number, end?: number, signal?: AbortSignal): Promise<Readable | undefined> {
    this.stats.requests++
    let read: FileRead
    try {
      const range = { start, ...(end !== undefined ? { end: end - 1 } : {}) }
      read = await this.access.get(this.file, { ...this.#call(signal), range })
    } catch (err) {
      if (isFault(err, 'FileNotFound')) return undefined
      throw err
    }
    const stats = this.stats
    // A server that ignores Range answers 200 with the whole file: cut what was asked for out of it.
    let skip = read.partial ? 0 : start
    let left = read.partial || end === undefined ? Infinity : end - start
    const counted = new Transform({
      transform(received: Buffer, _encoding, callback) {
        stats.bytes += received.length
        let chunk = received
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length)
          skip -= dropped
          chunk = chunk.subarray(dropped)
        }
        if (chunk.length > left) chunk = chunk.subarray(0, left)
        left -= chunk.length
        callback(null, chunk.length > 0 ? chunk : undefined)
      },
    })
    // destroying the returned stream destroys the response, which closes its connection
    return pipeline(read.stream, counted, () => undefined)
  }

  #call(signal: AbortSignal | undefined): CallOptions {
    return { opId: this.opId, ...(signal ? { signal } : {}) }
  }
}

export interface FollowOptions {
  /** When it aborts, the follow ends after one last read of what was written until then. */
  readonly signal?: AbortSignal
  /** How often to ask for the file's size; default 1 s, as VIC polled. */
  readonly intervalMs?: number
}

/** Consecutive failed polls (vSphere unreachable) a follow rides out before it fails. */
const maxFollowFailures = 10

export class LogFileStream extends Readable {
  readonly #log: DatastoreLog
  #offset: number
  /** the file's size when the read was planned, so an empty range is not asked for */
  readonly #knownSize: number | undefined
  readonly #follow: FollowOptions | undefined
  readonly #abort = new AbortController()
  #started = false
  #ending: 'no' | 'finish' | 'now' = 'no'
  #body: Readable | undefined
  #drained: (() => void) | undefined
  #slept: (() => void) | undefined

  constructor(log: DatastoreLog, start: number, knownSize: number | undefined, follow?: FollowOptions) {
    super({ highWaterMark: 64 * 1024 })
    this.#log = log
    this.#offset = start
    this.#knownSize = knownSize
    this.#follow = follow
  }

  /** Stops following: what was written until now is still read, then the stream ends. */
  finish(): void {
    if (this.#ending === 'no') this.#ending = 'finish'
    this.#wake()
  }

  /** Ends the stream now; nothing more is read. */
  stop(): void {
    this.#ending = 'now'
    this.#body?.destroy()
    this.#wake()
  }

  override _read(): void {
    if (this.#started) {
      this.#drained?.()
      return
    }
    this.#started = true
    this.#run().then(
      () => {
        if (!this.destroyed) this.push(null)
      },
      (err: unknown) => {
        if (this.destroyed) return
        if (this.#ending === 'now') this.push(null)
        else this.destroy(err as Error)
      },
    )
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#ending = 'now'
    this.#abort.abort()
    this.#body?.destroy()
    this.#wake()
    callback(err)
  }

  async #run(): Promise<void> {
    if (this.#knownSize === undefined || this.#knownSize > this.#offset) await this.#copy()
    const follow = this.#follow
    if (!follow) return
    const signal = follow.signal
    if (signal?.aborted) this.finish()
    else signal?.addEventListener('abort', () => this.finish(), { once: true, signal: this.#abort.signal })
    let failures = 0
    while (this.#ending === 'no') {
      await this.#sleep(follow.intervalMs ?? 1000)
      if (this.#ending !== 'no') break
      try {
        await this.#catchUp()
        failures = 0
      } catch (err) {
        // a blip in the connection to vSphere need not end a long follow; the offset is exact, so go on from it
        if (!(err instanceof VimUnreachable) || ++failures >= maxFollowFailures || this.#ending !== 'no') throw err
      }
    }
    if (this.#ending === 'finish') await this.#catchUp()
  }

  async #catchUp(): Promise<void> {
    const size = await this.#log.size(this.#abort.signal)
    if (size === undefined) return
    if (size < this.#offset) this.#offset = 0
    if (size > this.#offset) await this.#copy()
  }

  async #copy(): Promise<void> {
    const body = await this.#log.open(this.#offset, undefined, this.#abort.signal)
    if (body === undefined) return
    this.#body = body
    try {
      for await (const chunk of body) {
        const data = chunk as Buffer
        this.#offset += data.length
        if (!this.push(data) && this.#ending !== 'now') await new Promise<void>((resolve) => (this.#drained = resolve))
        this.#drained = undefined
        if (this.#ending === 'now') return
      }
    } finally {
      this.#body = undefined
      body.destroy()
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      const self = this
      function done(): void {
        clearTimeout(timer)
        self.#slept = undefined
        resolve()
      }
      this.#slept = done
    })
  }

  #wake(): void {
    this.#drained?.()
    this.#slept?.()
  }
}
