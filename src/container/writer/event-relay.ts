/**
 * The event stream of a namespace, at any process. The writer's store hears each of the writer's changes as it
 * makes them, so its derived events (events.ts) tell every step; a standby's store may hear several steps as one
 * (vSphere merges the changes of an object between two answers), so a standby relays the writer's own stream
 * instead, and switches to the new writer after a takeover. Outside changes reach the writer's store like any.
 */
import { get as httpGet } from 'node:http'
import type { ContainerEvent } from '../types.js'
import type { Role, WriterLease } from './lease.js'

/** how long a standby waits before it connects to the writer's stream again */
const reconnectMs = 1_000

export class EventRelay {
  readonly #listeners = new Set<(event: ContainerEvent) => void>()
  #stream: AbortController | undefined
  #address: string | undefined
  #closed = false
  #timer: NodeJS.Timeout | undefined

  constructor(
    private readonly lease: WriterLease,
    local: { onEvent(listener: (event: ContainerEvent) => void): () => void },
    private readonly token: string | undefined,
  ) {
    local.onEvent((event) => {
      if (this.#deriving(this.lease.role)) this.#emit(event)
    })
    lease.onRole(() => this.#follow())
  }

  on(listener: (event: ContainerEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#disconnect()
  }

  #deriving(role: Role): boolean {
    return role === 'writer' || role === 'taking-over'
  }

  /**
   * Connects to the writer's stream while this process is a standby, else lets it go. A standby follows the writer
   * whether or not anyone listens yet, so that a client subscribing gets the next change, not the ones after the
   * connection is made.
   */
  #follow(): void {
    const standby = this.lease.role === 'standby' && !this.#closed
    const writer = standby ? this.lease.writer() : undefined
    if (writer?.address === this.#address && this.#stream) return
    this.#disconnect()
    if (!writer) {
      // a standby that knows no writer yet looks again shortly
      if (standby) this.#later()
      return
    }
    this.#address = writer.address
    const stream = new AbortController()
    this.#stream = stream
    this.#relay(writer.address, stream.signal).finally(() => {
      if (this.#stream !== stream) return
      this.#stream = undefined
      this.#address = undefined
      this.#later()
    })
  }

  #later(): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.#follow(), reconnectMs)
    this.#timer.unref()
  }

  /** Reads the writer's stream until it ends or `signal` aborts; a connection of its own, gone with the stream. */
  #relay(address: string, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { 'op-id': 'event-relay' }
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`
    return new Promise((resolve) => {
      const target = new URL('/v1/events', address)
      const req = httpGet({ host: target.hostname, port: target.port, path: target.pathname, headers, agent: false }, (res) => {
        if (res.statusCode !== 200) {
          res.resume()
          return req.destroy()
        }
        let buffered = ''
        res.setEncoding('utf8').on('data', (chunk: string) => {
          buffered += chunk
          const lines = buffered.split('\n')
          buffered = lines.pop() ?? ''
          for (const line of lines) if (line.trim() !== '') this.#emit(JSON.parse(line) as ContainerEvent)
        })
        res.on('error', () => req.destroy())
      })
      // the writer went, or this process stopped following it: #follow decides what next
      req.on('error', () => undefined).on('close', () => resolve())
      signal.addEventListener('abort', () => req.destroy(), { once: true })
    })
  }

  #disconnect(): void {
    this.#stream?.abort()
    this.#stream = undefined
    this.#address = undefined
  }

  #emit(event: ContainerEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event)
      } catch {
        // a failing listener (a closed stream) must not stop the others
      }
    }
  }
}
