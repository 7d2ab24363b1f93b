// Shared by the vim client's integration tests: a client connected to the file's simulator, a pino logger
// whose lines the test can read back as JSON (pino's own test pattern), and the datacenter refs a test needs.
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

/** The project's fault proxy (test/helpers/fault-proxy.ts), under the name these tests know it by. */
export { FaultProxy as FaultyProxy } from '../../helpers/fault-proxy.js'
