// A TCP proxy between a client (portlayer, the vim client) and govcsim that breaks chosen exchanges, the project's
// one tool for network faults in tests. Each HTTP request is read whole (Content-Length framing) so its SOAP
// method is known, then a fault is chosen for it, in this order: what a watcher set with `watch` returns, one
// queued with `breakNext`, a rule for its method (`breakMethod`), a seeded random draw (`random`). What a fault does:
// - reset: the request reaches the server, its answer is replaced by a reset (the client cannot know it ran);
// - drop:  the request never reaches the server, the client's connection is reset;
// - stall: the request reaches the server and no answer comes back (for `stallMs`, then a reset; forever if 0);
// - slow:  the answer comes back `slowMs` late.
// `down()` stops forwarding altogether (every connection is reset at once) until `up()`. `counts` says what it did.
import net from 'node:net'
import { requestSize } from './http-framing.js'
import { seededRandom } from './seeded-random.js'

export type Fault = 'reset' | 'drop' | 'stall' | 'slow'

export interface RandomFaults {
  /** chance that one request is broken, 0..1 */
  readonly probability: number
  /** the seed of the draw, so a failing run can be replayed */
  readonly seed: number
  /** the faults drawn from (evenly); default reset, drop, stall, slow */
  readonly faults?: readonly Fault[]
  /** only requests of these SOAP methods are candidates; default every request */
  readonly methods?: readonly string[]
  /** requests of these SOAP methods are never broken */
  readonly exceptMethods?: readonly string[]
}

export interface FaultProxyOptions {
  /** how long a `stall` holds the answer back before resetting; 0 holds it until the client gives up */
  readonly stallMs?: number
  /** how late a `slow` answer comes */
  readonly slowMs?: number
}

export type FaultCounts = Record<Fault | 'forwarded' | 'refused', number>

/**
 * Sees every request as it arrives, before it is forwarded, and may break it: a test acts at an exact point of the
 * client's conversation (e.g. kills the client on its Nth call) and says whether that call reaches the server.
 */
export type RequestWatcher = (method: string | undefined) => Fault | undefined

interface MethodRule {
  readonly method: string
  readonly fault: Fault
  /** answers still to break; -1 without end */
  count: number
}

export class FaultProxy {
  readonly counts: FaultCounts = { forwarded: 0, reset: 0, drop: 0, stall: 0, slow: 0, refused: 0 }
  /** SOAP methods of the requests broken so far, in order, with the fault */
  readonly broken: Array<{ method: string | undefined; fault: Fault }> = []
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()
  private readonly queue: Fault[] = []
  private readonly rules: MethodRule[] = []
  private randomRule: (RandomFaults & { next: () => number }) | undefined
  private watcher: RequestWatcher | undefined
  private forwarding = true

  private constructor(
    private readonly target: URL,
    private readonly options: Required<FaultProxyOptions>,
  ) {
    this.server = net.createServer((client) => this.accept(client))
  }

  static async start(targetUrl: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(targetUrl), { stallMs: 0, slowMs: 200, ...options })
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  /** The target URL as seen through the proxy. */
  get url(): string {
    const url = new URL(this.target.href)
    url.port = String((this.server.address() as net.AddressInfo).port)
    return url.href
  }

  /** The next requests, one fault each in order, are broken this way. */
  breakNext(...faults: Fault[]): void {
    this.queue.push(...faults)
  }

  /** The next `count` requests of SOAP `method` (-1: every one until `clear`) are broken with `fault`. */
  breakMethod(method: string, fault: Fault, count = 1): void {
    this.rules.push({ method, fault, count })
  }

  /** From now on every request is broken with `probability`, drawn from a generator seeded with `seed`. */
  random(faults: RandomFaults): void {
    this.randomRule = { ...faults, next: seededRandom(faults.seed).next }
  }

  /** From now on every request is shown to `watcher` first (undefined: no watcher); `clear` forgets it too. */
  watch(watcher: RequestWatcher | undefined): void {
    this.watcher = watcher
  }

  /** Forgets every planned fault; the proxy passes everything through again. */
  clear(): void {
    this.queue.length = 0
    this.rules.length = 0
    this.randomRule = undefined
    this.watcher = undefined
  }

  /** Stops forwarding: open connections are reset, new ones are reset as they come, until `up()`. */
  down(): void {
    this.forwarding = false
    for (const s of this.sockets) s.resetAndDestroy()
  }

  up(): void {
    this.forwarding = true
  }

  /** Faults applied so far (resets, drops, stalls, slow answers; not refusals while down). */
  get faultCount(): number {
    return this.counts.reset + this.counts.drop + this.counts.stall + this.counts.slow
  }

  private choose(method: string | undefined): Fault | undefined {
    const watched = this.watcher?.(method)
    if (watched) return watched
    const queued = this.queue.shift()
    if (queued) return queued
    const rule = method === undefined ? undefined : this.rules.find((r) => r.method === method && r.count !== 0)
    if (rule) {
      if (rule.count > 0) rule.count--
      return rule.fault
    }
    const random = this.randomRule
    if (!random || (random.methods && (method === undefined || !random.methods.includes(method)))) return undefined
    if (method !== undefined && random.exceptMethods?.includes(method)) return undefined
    if (random.next() >= random.probability) return undefined
    const faults = random.faults ?? ['reset', 'drop', 'stall', 'slow']
    return faults[Math.floor(random.next() * faults.length)]
  }

  private accept(client: net.Socket): void {
    if (!this.forwarding) {
      this.counts.refused++
      client.resetAndDestroy()
      return
    }
    const upstream = net.connect(Number(this.target.port), this.target.hostname)
    this.sockets.add(client).add(upstream)
    let pending: Buffer = Buffer.alloc(0)
    // the fault of the request whose answer is coming back; a client sends its next request on a keep-alive
    // socket only after the whole answer, so the latest request owns what the server sends now
    let fault: Fault | undefined
    let answer: Promise<void> = Promise.resolve()
    const close = (): void => {
      client.destroy()
      upstream.destroy()
      this.sockets.delete(client)
      this.sockets.delete(upstream)
    }
    client.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      for (let size = requestSize(pending); size > 0; size = requestSize(pending)) {
        const request = pending.subarray(0, size)
        pending = pending.subarray(size)
        const method = soapMethod(request)
        fault = this.choose(method)
        if (fault) {
          this.counts[fault]++
          this.broken.push({ method, fault })
        } else {
          this.counts.forwarded++
        }
        if (fault === 'drop') {
          client.resetAndDestroy()
          upstream.destroy()
          return
        }
        if (fault === 'stall' && this.options.stallMs > 0) {
          setTimeout(() => client.resetAndDestroy(), this.options.stallMs).unref()
        }
        upstream.write(request)
      }
    })
    upstream.on('data', (chunk: Buffer) => {
      if (fault === 'reset') client.resetAndDestroy()
      else if (fault === 'slow') {
        const delay = new Promise<void>((resolve) => setTimeout(resolve, this.options.slowMs))
        answer = answer.then(() => delay).then(() => void (client.destroyed || client.write(chunk)))
      } else if (fault !== 'stall') {
        // keep the order behind an earlier slow answer on the same socket
        answer = answer.then(() => void (client.destroyed || client.write(chunk)))
      }
    })
    client.on('close', close).on('error', close)
    upstream.on('close', close).on('error', close)
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** The SOAP method a request calls (the first element in the Body), or undefined for a non-SOAP request. */
export function soapMethod(request: Buffer): string | undefined {
  const text = request.toString('utf8')
  return /<(?:[\w-]+:)?Body\b[^>]*>\s*<(?:[\w-]+:)?([\w]+)/.exec(text)?.[1]
}

