// Container creates through the REST API (fastify `inject`, the service composed as `portlayer serve` does it)
// against the floor: the exact CreateVM_Task and task-read request bytes portlayer sent, recorded at the socket,
// replayed over plain keep-alive sockets to the same simulator with nothing parsed but the HTTP framing. Prints,
// at concurrency 1 and 8, the SOAP calls per create counted by the simulator (goal 2), creates per second, and
// the ratio to two floors:
// - watched: the replay runs while portlayer's store still watches the VM folder, as it does during its own run.
//   vcsim recomputes a watcher's whole filter (every VM, with its ExtraConfig) for each change, so a watched
//   simulator is slower; this floor leaves only portlayer's own request path in the ratio.
// - quiet: the replay runs after portlayer has logged out, against a simulator nobody watches.
//
//   npx tsx bench/create.ts [--count 200] [--runs 3]
//
// Each run gets a fresh simulator (vcsim never frees task objects, so runs would slow each other down). Before
// each replay the containers are removed through the API, so the replay creates the same VMs again; it uses a
// session of its own, and its task reads read the recorded run's tasks.
import { parseArgs } from 'node:util'
import pino from 'pino'
import { buildApp, type App } from '../src/api/app.js'
import { simulatorEndpoint } from '../src/cli/serve.js'
import type { Config } from '../src/config.js'
import { compose, type Runtime } from '../src/di.js'
import { memoryTmpdir, startGovcsim, type Govcsim } from '../src/sim/launcher.js'
import { RawConnection, RecordingProxy } from './raw-replay.js'

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
  },
})
const count = Number(args.count)
const runs = Number(args.runs)
const warmup = 10
const loopMethod = 'WaitForUpdatesEx'

interface RunResult {
  concurrency: number
  /** portlayer creates per second */
  service: number
  /** replayed creates per second, the simulator watched by portlayer's store */
  watched: number
  /** replayed creates per second, nobody watching */
  quiet: number
  /** SOAP calls per create, the store's update loop left out */
  callsPerCreate: number
  /** WaitForUpdatesEx calls of the store's loop during the run */
  loopCalls: number
  methods: Record<string, number>
}


/** Runs `work(i)` for i in [0, n) on `concurrency` workers; resolves with the seconds taken. */
async function timed(n: number, concurrency: number, work: (i: number, worker: number) => Promise<void>): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = next++; i < n; i = next++) await work(i, worker)
    }),
  )
  return (performance.now() - started) / 1000
}

async function quiet(sim: Govcsim): Promise<Record<string, number>> {
  let last = await sim.stats()
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300))
    const now = await sim.stats()
    if (JSON.stringify(now) === JSON.stringify(last)) return now
    last = now
  }
}

function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [m, n] of Object.entries(after)) if (n - (before[m] ?? 0) > 0) out[m] = n - (before[m] ?? 0)
  return out
}

async function inject(app: App, method: 'POST' | 'DELETE', url: string, body?: object): Promise<void> {
  const res = await app.inject({ method, url, ...(body ? { payload: body } : {}) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: HTTP ${res.statusCode} ${res.body}`)
}

/** A session of the replay's own: the recorded requests carry portlayer's cookie, which its logout ended. */
async function login(sim: Govcsim): Promise<string> {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
    '<soapenv:Body><Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>' +
    `<userName>${sim.username}</userName><password>${sim.password}</password></Login></soapenv:Body></soapenv:Envelope>`
  const res = await fetch(sim.url, { method: 'POST', headers: { 'content-type': 'text/xml; charset="utf-8"' }, body })
  if (!res.ok) throw new Error(`replay login: HTTP ${res.status}`)
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('vmware_soap_session='))
  if (!cookie) throw new Error('replay login: no session cookie')
  return cookie.split(';')[0]!.slice('vmware_soap_session='.length)
}

/** The recorded request with its session cookie swapped (a header: the body and its length stay as sent). */
function withSession(request: Buffer, session: string): Buffer {
  const end = request.indexOf('\r\n\r\n')
  const head = request.toString('latin1', 0, end).replace(/(\r\ncookie:\s*vmware_soap_session=)[^;\r\n]*/i, `$1${session}`)
  return Buffer.concat([Buffer.from(head, 'latin1'), request.subarray(end)])
}

const isCreate = (r: Buffer): boolean => r.includes('<CreateVM_Task')
const isTaskRead = (r: Buffer): boolean => r.includes('<RetrievePropertiesEx') && r.includes('type="Task"')

async function run(concurrency: number): Promise<RunResult> {
  const sim = await startGovcsim({ tmpdir: memoryTmpdir() })
  const proxy = await RecordingProxy.start(sim.url)
  let runtime: Runtime | undefined
  let app: App | undefined
  try {
    const logger = pino({ level: 'silent' })
    const config: Config = {
      listen: { host: '127.0.0.1', port: 0 },
      logLevel: 'silent',
      vsphere: simulatorEndpoint({ ...sim, url: proxy.url }),
    }
    runtime = await compose(config, logger)
    app = buildApp({ service: runtime.service, logger })
    await app.ready()
    const rest = app
    for (let i = 0; i < warmup; i++) await inject(rest, 'POST', '/v1/containers', { name: `warm-${i}` })

    const before = await quiet(sim)
    proxy.clear()
    const serviceSeconds = await timed(count, concurrency, (i) =>
      inject(rest, 'POST', '/v1/containers', { name: `bench-${concurrency}-${i}` }),
    )
    const methods = delta(before, await sim.stats())
    const { [loopMethod]: loopCalls = 0, ...own } = methods
    const creates = proxy.requests.filter(isCreate)
    const reads = proxy.requests.filter(isTaskRead)
    if (creates.length !== count || reads.length !== count)
      throw new Error(`recorded ${creates.length} creates and ${reads.length} task reads, expected ${count} of each`)

    // make room for the replay: the same names and folders must be free again
    const removeAll = async (): Promise<void> => {
      await quiet(sim)
      const all = (await rest.inject({ method: 'GET', url: '/v1/containers?all=true' })).json<Array<{ id: string }>>()
      await timed(all.length, 8, (i) => inject(rest, 'DELETE', `/v1/containers/${all[i]!.id}`))
      await quiet(sim)
    }
    await removeAll()
    const session = await login(sim)
    const pairs = creates.map((create, i) => [withSession(create, session), withSession(reads[i]!, session)] as const)
    const watchedSeconds = await replay(sim, pairs, concurrency)
    await removeAll()
    await app.close()
    app = undefined
    await runtime.close()
    runtime = undefined
    const quietSeconds = await replay(sim, pairs, concurrency)

    const calls = Object.values(own).reduce((s, n) => s + n, 0)
    return {
      concurrency,
      service: count / serviceSeconds,
      watched: count / watchedSeconds,
      quiet: count / quietSeconds,
      callsPerCreate: calls / count,
      loopCalls,
      methods,
    }
  } finally {
    await app?.close()
    await runtime?.close()
    await proxy.stop()
    await sim.stop()
  }
}

/** Sends each (create, task read) pair on one of `concurrency` raw sockets; checks every VM was made. */
async function replay(sim: Govcsim, pairs: ReadonlyArray<readonly Buffer[]>, concurrency: number): Promise<number> {
  const conns = await Promise.all(Array.from({ length: concurrency }, () => RawConnection.open(sim.url)))
  let failed = 0
  try {
    const seconds = await timed(pairs.length, concurrency, async (i, worker) => {
      for (const request of pairs[i]!) if ((await conns[worker]!.send(request)) !== 200) failed++
    })
    const inventory = (await (await fetch(new URL('/govcsim/inventory', sim.url))).json()) as {
      datacenters: Array<{ vms: unknown[] }>
    }
    const made = inventory.datacenters[0]?.vms.length ?? 0
    if (failed > 0 || made !== pairs.length)
      throw new Error(`replay: ${failed} failed requests, ${made} VMs made of ${pairs.length}`)
    return seconds
  } finally {
    for (const c of conns) c.close()
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function main(): Promise<void> {
  console.log(`creates through the REST API vs raw replay of the same SOAP bytes: ${count} per run, median of ${runs} runs`)
  for (const concurrency of [1, 8]) {
    const results: RunResult[] = []
    for (let r = 0; r < runs; r++) results.push(await run(concurrency))
    const service = median(results.map((x) => x.service))
    const watched = median(results.map((x) => x.watched))
    const quietFloor = median(results.map((x) => x.quiet))
    const calls = median(results.map((x) => x.callsPerCreate))
    const loop = median(results.map((x) => x.loopCalls))
    console.log(
      `c=${concurrency}: portlayer ${service.toFixed(0)} creates/s | floor watched ${watched.toFixed(0)}/s, ` +
        `ratio ${(watched / service).toFixed(2)}x | floor quiet ${quietFloor.toFixed(0)}/s, ratio ` +
        `${(quietFloor / service).toFixed(2)}x | SOAP calls per create ${calls.toFixed(2)} (goal 2), ` +
        `plus ${loop} WaitForUpdatesEx of the store's loop over the run`,
    )
    const perRun = results.map((x) => [x.service, x.watched, x.quiet].map((n) => n.toFixed(0)).join('/'))
    console.log(`      per run (portlayer/watched/quiet): ${perRun.join(', ')}`)
    console.log(`      methods (last run): ${JSON.stringify(results.at(-1)?.methods)}`)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
