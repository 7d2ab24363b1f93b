// Shared by the vim client's integration tests: a client connected to the file's simulator, a pino logger
// whose lines the test can read back as JSON (pino's own test pattern), and the datacenter refs a test needs.
import net from 'node:net'
import { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'
import type { DatacenterInventory, Govcsim } from '../../../src/sim/launcher.js'
import { connect, moref, vimRedactPaths, type ConnectOptions, type MoRef, type VimClient } from '../../../src/vim/index.js'

export interface LogSink {
  readonly logger: Logger
  /** Every line written so far, raw. */
  readonly lines: string[]
  /** The lines parsed as JSON objects. */
  records(): Record<string, unknown>[]
}

export function logSink(level: pino.LevelWithSilent = 'debug'): LogSink {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0))
      done()
    },
  })
  const logger = pino({ level, redact: [...vimRedactPaths] }, stream)
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

export function connectTo(sim: Govcsim, options: Partial<ConnectOptions> = {}): Promise<VimClient> {
  return connect({ url: sim.url, username: sim.username, password: sim.password, keepAliveMs: 0, ...options })
}

export interface DatacenterRefs {
  readonly dc: DatacenterInventory
  readonly datacenter: MoRef<'Datacenter'>
  readonly vmFolder: MoRef<'Folder'>
  readonly pool: MoRef<'ResourcePool'>
  readonly datastore: string
}

export function datacenterRefs(sim: Govcsim): DatacenterRefs {
  const dc = sim.inventory.datacenters[0]
  const pool = dc?.resourcePools[0]
  const ds = dc?.datastores[0]
  if (!dc || !pool || !ds) throw new Error('the simulator has no datacenter with a pool and a datastore')
  return {
    dc,
    datacenter: moref('Datacenter', dc.moref),
    vmFolder: moref('Folder', dc.vmFolder),
    pool: moref('ResourcePool', pool.moref),
    datastore: ds.name,
  }
}

/** Calls per SOAP method between two stats() readings. */
export function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [method, n] of Object.entries(after)) {
    const d = n - (before[method] ?? 0)
    if (d !== 0) out[method] = d
  }
  return out
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A TCP proxy in front of the simulator that can break the connection of the next requests: `reset` lets the
 * request reach the server and resets the client's socket instead of passing the answer back (the outcome is
 * unknown to the client), `stall` lets the request through and never answers.
 */
export class FaultyProxy {
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()
  private plan: Array<'reset' | 'stall'> = []

  private constructor(private readonly target: URL) {
    this.server = net.createServer((client) => this.accept(client))
  }

  static async start(targetUrl: string): Promise<FaultyProxy> {
    const proxy = new FaultyProxy(new URL(targetUrl))
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  /** The target URL as seen through the proxy. */
  get url(): string {
    const url = new URL(this.target.href)
    url.port = String((this.server.address() as net.AddressInfo).port)
    return url.href
  }

  /** The next answers, one per request in order, are broken this way. */
  breakNext(...faults: Array<'reset' | 'stall'>): void {
    this.plan.push(...faults)
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(Number(this.target.port), this.target.hostname)
    this.sockets.add(client).add(upstream)
    let fault: 'reset' | 'stall' | undefined
    client.on('data', (chunk) => {
      // a request starts with its method; keep-alive sockets carry many
      if (/^(GET|POST|PUT|HEAD) /.test(chunk.toString('latin1', 0, 5))) fault = this.plan.shift()
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (fault === 'reset') client.resetAndDestroy()
      else if (fault !== 'stall') client.write(chunk)
    })
    const close = (): void => {
      client.destroy()
      upstream.destroy()
      this.sockets.delete(client)
      this.sockets.delete(upstream)
    }
    client.on('close', close).on('error', close)
    upstream.on('close', close).on('error', close)
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
