/**
 * The event stream of a namespace, at any process. The writer's store hears each of the writer's changes as it
 * makes them, so its derived events (events.ts) tell every step; a standby's store may hear several steps as one
 * (vSphere merges the changes of an object between two answers), so a standby relays the writer's own stream
 * instead, and switches to the new writer after a takeover. Outside changes reach the writer's store like any.
 */
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
    this.#follow()
    return () => {
      this.#listeners.delete(listener)
      if (this.#listeners.size === 0) this.#disconnect()
    }
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#disconnect()
  }

  #deriving(role: Role): boolean {
    return role === 'writer' || role === 'taking-over'
  }

  /** Connects to the writer's stream when this process is a standby with listeners, else lets it go. */
  #follow(): void {
    const writer = this.lease.role === 'standby' && this.#listeners.size > 0 && !this.#closed ? this.lease.writer() : undefined
    if (writer?.address === this.#address && this.#stream) return
    this.#disconnect()
    if (!writer) {
      // a standby that knows no writer yet looks again shortly
      if (this.lease.role === 'standby' && this.#listeners.size > 0 && !this.#closed) this.#later()
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

  async #relay(address: string, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { 'op-id': 'event-relay' }
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`
    try {
      const res = await fetch(new URL('/v1/events', address), { headers, signal })
      if (!res.ok || !res.body) return
      const decoder = new TextDecoder()
      let buffered = ''
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true })
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) if (line.trim() !== '') this.#emit(JSON.parse(line) as ContainerEvent)
      }
    } catch {
      // the writer went, or this process stopped following it: #follow decides what next
    }
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
