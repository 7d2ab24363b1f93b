// Shared by the logs and attach integration tests: a portlayer on its own simulator whose log lines the test can
// read back (the service logs what each logs request fetched), a vim client of the test's own for writing log files
// to the simulator's datastore over HTTP PUT, iolog entries made with the writer at chosen times, and the REST calls.
import path from 'node:path'
import { encodeLog, type LogStream } from '../../../src/logs/iolog/index.js'
import type { ContainerView } from '../../../src/container/types.js'
import { connect, type DatastoreFile, type VimClient } from '../../../src/vim/index.js'
import { eventually } from '../../helpers/eventually.js'
import type { Portlayer } from '../../helpers/portlayer.js'
import { datastore } from '../../helpers/sim-reads.js'
import { logSink, type LogSink } from '../vim/support.js'

export { logSink, type LogSink }

/** 2023-11-14T22:13:20Z in nanoseconds: the entries' times are this plus whole seconds. */
export const t0 = 1_700_000_000_000_000_000n
export const second = 1_000_000_000n
/** `t0 + n` seconds as the unix-seconds text a client sends. */
export const unix = (n: number): string => String(1_700_000_000 + n)

/** One iolog entry per line of `text`, all written at `at` (nanoseconds) on `stream`. */
export function entries(text: string, at: bigint, stream: LogStream = 'stdout'): Buffer {
  return encodeLog(text, { stream, clock: () => at })
}

export function connectClient(pl: Portlayer): Promise<VimClient> {
  const { sim } = pl
  return connect({ url: sim.url, username: sim.username, password: sim.password, keepAliveMs: 0 })
}

/** The container's `output.log` as a datastore file. */
export function outputLog(pl: Portlayer, c: ContainerView): DatastoreFile {
  const dc = pl.sim.inventory.datacenters[0]!
  return { datastore: c.vm.datastore, datacenter: dc.name, path: `${c.vm.folder}/output.log` }
}

/** The local file behind the container's `output.log` (appending to it is what a running tether does). */
export function localOutputLog(pl: Portlayer, c: ContainerView): string {
  return path.join(datastore(pl.sim, c.vm.datastore).path, c.vm.folder, 'output.log')
}

export interface LogsReply {
  status: number
  body: string
  contentType: string | undefined
  /** the error body of a refusal */
  error: { code: string; message: string } | undefined
}

export async function getLogs(pl: Portlayer, ref: string, query = '', headers: Record<string, string> = {}): Promise<LogsReply> {
  const res = await pl.inject({ method: 'GET', url: `/v1/containers/${encodeURIComponent(ref)}/logs${query ? `?${query}` : ''}`, headers })
  const contentType = res.headers['content-type'] as string | undefined
  return {
    status: res.statusCode,
    body: res.body,
    contentType,
    error: res.statusCode >= 400 ? (res.json() as { code: string; message: string }) : undefined,
  }
}

/** The `logs served` record the service wrote for the request with this Op-ID. */
export async function servedRecord(sink: LogSink, opId: string): Promise<{ requests: number; bytes: number; start: number; size: number }> {
  return eventually(() => {
    const record = sink.records().find((r) => r['opId'] === opId && r['msg'] === 'logs served')
    if (!record) throw new Error(`no 'logs served' record for ${opId}`)
    return record as unknown as { requests: number; bytes: number; start: number; size: number }
  })
}
