/**
 * Files on a datastore through vSphere's HTTP file interface, `/folder/<path>?dcPath=<datacenter>&dsName=<ds>`:
 * read (streamed, with a byte range for tails and follows), size, and write. It rides on the client's transport,
 * so it uses the same session cookie and the same TLS trust as the SOAP calls. A 404 is a `FileNotFound` fault,
 * like the one a SOAP file operation would give; a 401 means the session is gone: the session is renewed and
 * the request sent once more (only requests whose body can be sent again).
 */

import { Readable } from 'node:stream'
import { VimProtocolError } from './errors.js'
import { VimFault } from './fault.js'
import type { CallOptions } from './round-tripper.js'
import type { HttpResponse, HttpTransport } from './transport/http.js'

/** Where a file lives: datastore name, datacenter inventory path, and the path inside the datastore. */
export interface DatastoreFile {
  readonly datastore: string
  /** The datacenter's inventory path, e.g. "DC0" or "folder/DC1". */
  readonly datacenter: string
  readonly path: string
}

export interface ByteRange {
  readonly start: number
  /** Inclusive; open-ended when absent. */
  readonly end?: number
}

export interface FileRead {
  readonly stream: Readable
  /** Total size of the file when the server said (Content-Range or Content-Length). */
  readonly size: number | undefined
  /** Whether the server honoured the range (206); a 200 sends the whole file. */
  readonly partial: boolean
}

/** `[ds] a/b.log` → { datastore: 'ds', path: 'a/b.log' }. */
export function parseDatastorePath(datastorePath: string): { datastore: string; path: string } {
  const m = /^\[([^\]]+)\]\s*(.*)$/.exec(datastorePath)
  if (!m?.[1]) throw new TypeError(`"${datastorePath}" is not a datastore path like "[datastore] folder/file"`)
  return { datastore: m[1], path: m[2] ?? '' }
}

export class DatastoreFiles {
  constructor(
    private readonly http: HttpTransport,
    /** Renews the session after a 401, unless a login newer than `seen` already did. */
    private readonly renewSession: (seen: number) => Promise<void>,
    private readonly sessionGeneration: () => number,
    /** Asked before every write of a file; refuses by throwing (the client's write guard). */
    private readonly beforeWrite: () => void = () => undefined,
  ) {}

  url(file: DatastoreFile): string {
    const path = file.path
      .split('/')
      .filter((s) => s.length > 0)
      .map(encodeURIComponent)
      .join('/')
    const query = new URLSearchParams({ dcPath: file.datacenter, dsName: file.datastore })
    return `${this.http.endpoint}/folder/${path}?${query.toString()}`
  }

  /** Streams the file, or the byte range of it. */
  async get(file: DatastoreFile, options: CallOptions & { range?: ByteRange } = {}): Promise<FileRead> {
    const headers: Record<string, string> = {}
    if (options.range) headers['Range'] = `bytes=${options.range.start}-${options.range.end ?? ''}`
    const res = await this.#send<Readable>(file, 'GET', options, { headers, responseType: 'stream' }, true)
    if (res.status === 416) {
      res.body.resume()
      // asked from beyond the end (a follow at EOF): nothing new yet
      return { stream: Readable.from([]), size: totalFromContentRange(res.headers['content-range']), partial: true }
    }
    this.#check(file, res, [200, 206])
    const size =
      res.status === 206 ? totalFromContentRange(res.headers['content-range']) : numberHeader(res.headers['content-length'])
    return { stream: res.body, size, partial: res.status === 206 }
  }

  /** The file's size in bytes. */
  async size(file: DatastoreFile, options: CallOptions = {}): Promise<number> {
    const res = await this.#send<string>(file, 'HEAD', options, {}, true)
    this.#check(file, res, [200])
    const size = numberHeader(res.headers['content-length'])
    if (size === undefined) throw new VimProtocolError(`no Content-Length for ${file.path}`)
    return size
  }

  /** Writes the whole file (created with its parent folders, or replaced). */
  async put(file: DatastoreFile, body: Buffer | string | Readable, options: CallOptions = {}): Promise<void> {
    this.beforeWrite()
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' }
    if (typeof body === 'string' || Buffer.isBuffer(body)) headers['Content-Length'] = String(Buffer.byteLength(body))
    const replayable = typeof body === 'string' || Buffer.isBuffer(body)
    const res = await this.#send<string>(file, 'PUT', options, { headers, body }, replayable)
    this.#check(file, res, [200, 201, 204])
  }

  async #send<T>(
    file: DatastoreFile,
    method: 'GET' | 'HEAD' | 'PUT',
    options: CallOptions,
    req: { headers?: Record<string, string>; body?: Buffer | string | Readable; responseType?: 'stream' | 'text' },
    replayable: boolean,
  ): Promise<HttpResponse<T>> {
    const send = (): Promise<HttpResponse<T>> =>
      this.http.request<T>({
        method,
        url: this.url(file),
        ...req,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      })
    const seen = this.sessionGeneration()
    const res = await send()
    if (res.status !== 401 || !replayable) return res
    discard(res.body)
    await this.renewSession(seen)
    return send()
  }

  #check(file: DatastoreFile, res: HttpResponse<unknown>, ok: number[]): void {
    if (ok.includes(res.status)) return
    discard(res.body)
    const name = `[${file.datastore}] ${file.path}`
    if (res.status === 404) throw new VimFault('FileNotFound', `file not found: ${name}`, { file: name })
    if (res.status === 401 || res.status === 403) {
      throw new VimFault('NoPermission', `not allowed to access ${name} (HTTP ${res.status})`, { file: name })
    }
    throw new VimProtocolError(`datastore file ${name} answered HTTP ${res.status}`)
  }
}

function discard(body: unknown): void {
  if (body && typeof (body as Readable).resume === 'function') (body as Readable).resume()
}

function numberHeader(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

/** `bytes 0-99/1234` or `bytes *\/1234` → 1234. */
function totalFromContentRange(value: string | undefined): number | undefined {
  const m = value ? /\/(\d+)$/.exec(value) : null
  return m?.[1] ? Number(m[1]) : undefined
}
