// The floor for the SOAP client benchmark: the exact HTTP request bytes the client sent, recorded at the socket
// by a pass-through proxy, replayed over plain keep-alive sockets with only the HTTP framing parsed on the way
// back (no XML). Whatever the client spends beyond this (building, parsing, decoding, axios, the layers) is
// the client's cost.
import net from 'node:net'
import { requestSize } from '../test/helpers/http-framing.js'

/** Records every HTTP request passing through, as the raw bytes the client wrote. */
export class RecordingProxy {
  readonly requests: Buffer[] = []
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()

  private constructor(private readonly target: URL) {
    this.server = net.createServer((client) => this.accept(client))
  }

  static async start(targetUrl: string): Promise<RecordingProxy> {
    const proxy = new RecordingProxy(new URL(targetUrl))
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get url(): string {
    const url = new URL(this.target.href)
    url.port = String((this.server.address() as net.AddressInfo).port)
    return url.href
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(Number(this.target.port), this.target.hostname)
    this.sockets.add(client).add(upstream)
    let pending = Buffer.alloc(0)
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk)
      pending = Buffer.concat([pending, chunk])
      for (let size = requestSize(pending); size > 0; size = requestSize(pending)) {
        this.requests.push(pending.subarray(0, size))
        pending = pending.subarray(size)
      }
    })
    upstream.pipe(client)
    const close = (): void => {
      client.destroy()
      upstream.destroy()
    }
    client.on('close', close).on('error', close)
    upstream.on('close', close).on('error', close)
  }

  /** Forgets what was recorded so far. */
  clear(): void {
    this.requests.length = 0
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** One keep-alive connection that sends a request and reads exactly one response back. */
export class RawConnection {
  private readonly socket: net.Socket
  private buffer: Buffer = Buffer.alloc(0)
  private waiting: { resolve: (status: number) => void; reject: (err: Error) => void } | undefined

  private constructor(socket: net.Socket) {
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
      this.tryComplete()
    })
    socket.on('error', (err) => this.waiting?.reject(err))
  }

  static open(url: string): Promise<RawConnection> {
    const u = new URL(url)
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(u.port), u.hostname, () => resolve(new RawConnection(socket)))
      socket.once('error', reject)
    })
  }

  /** Sends `request` and resolves with the response's HTTP status once its whole body has arrived. */
  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject }
      this.socket.write(request)
    })
  }

  private tryComplete(): void {
    const end = this.buffer.indexOf('\r\n\r\n')
    if (end < 0 || !this.waiting) return
    const head = this.buffer.toString('latin1', 0, end)
    const status = Number(head.slice(9, 12))
    const bodyStart = end + 4
    let total: number
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)
    if (length?.[1]) {
      total = bodyStart + Number(length[1])
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const chunkedEnd = chunkedBodyEnd(this.buffer, bodyStart)
      if (chunkedEnd < 0) return
      total = chunkedEnd
    } else {
      total = bodyStart
    }
    if (this.buffer.length < total) return
    this.buffer = this.buffer.subarray(total)
    const waiting = this.waiting
    this.waiting = undefined
    waiting.resolve(status)
  }

  close(): void {
    this.socket.destroy()
  }
}

/** Offset just past the last chunk of a chunked body starting at `from`, or -1 while incomplete. */
function chunkedBodyEnd(buf: Buffer, from: number): number {
  let at = from
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at)
    if (lineEnd < 0) return -1
    const size = parseInt(buf.toString('latin1', at, lineEnd), 16)
    at = lineEnd + 2 + size + 2
    if (at > buf.length) return -1
    if (size === 0) return at
  }
}

/** A recorded request split into what an HTTP client library needs to send it again. */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: Buffer
}

export function splitRequest(raw: Buffer): RecordedRequest {
  const end = raw.indexOf('\r\n\r\n')
  const [requestLine = '', ...lines] = raw.toString('latin1', 0, end).split('\r\n')
  const [method = 'POST', path = '/'] = requestLine.split(' ')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    // the client library sets these itself
    if (['host', 'content-length', 'connection', 'accept-encoding', 'user-agent', 'accept'].includes(name)) continue
    headers[name] = line.slice(colon + 1).trim()
  }
  return { method, path, headers, body: raw.subarray(end + 4) }
}
