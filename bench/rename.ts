// Renames through portlayer (the REST app over the composed service, as `portlayer serve` runs it) against the
// floor: the same SOAP request bytes the renames sent, recorded at the socket (bench/raw-replay.ts) and replayed
// over plain keep-alive sockets. Prints the SOAP calls a rename costs (counted by the simulator, the store's
// WaitForUpdatesEx loop apart), renames per second at concurrency 1 and 8, and the ratio to the floor.
//
//   npx tsx bench/rename.ts [--renames 400] [--concurrency 8]
//
// The replayed reconfigures carry changeVersions that are stale by then, so vSphere refuses them (ConcurrentAccess)
// after the same parse and task: the floor is, if anything, a little fast.
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
    renames: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '8' },
  },
})
const renames = Number(args.renames)
const concurrency = Number(args.concurrency)

/** Long polls and set-up calls are not part of a rename; their bytes are not replayed. */
const notReplayed = /<(WaitForUpdatesEx|CreateFilter|CreatePropertyCollector|CreateContainerView|DestroyView)\b/

interface Bench {
  sim: Govcsim
  proxy: RecordingProxy
  runtime: Runtime
  app: App
}

async function start(): Promise<Bench> {
  const tmpdir = memoryTmpdir()
  const sim = await startGovcsim({ ...(tmpdir ? { tmpdir } : {}) })
  const proxy = await RecordingProxy.start(sim.url)
  const logger = pino({ level: 'silent' })
  const config: Config = {
    listen: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    vsphere: simulatorEndpoint({ url: proxy.url, username: sim.username, password: sim.password }),
  }
  const runtime = await compose(config, logger)
  const app = buildApp({ service: runtime.service, logger })
  await app.ready()
  return { sim, proxy, runtime, app }
}

async function post(app: App, url: string, payload?: object): Promise<number> {
  const res = await app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) })
  if (res.statusCode >= 300) throw new Error(`POST ${url}: HTTP ${res.statusCode} ${res.body}`)
  return res.statusCode
}

async function rename(app: App, ref: string, name: string): Promise<void> {
  await post(app, `/v1/containers/${ref}/rename?name=${encodeURIComponent(name)}`)
}

/** Counts once the simulator has seen no request for a while (the store's loop parked in its wait). */
async function quiet(sim: Govcsim): Promise<Record<string, number>> {
  let last = await sim.stats()
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 400))
    const now = await sim.stats()
    if (JSON.stringify(now) === JSON.stringify(last)) return now
    last = now
  }
}

function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [method, n] of Object.entries(after)) {
    const d = n - (before[method] ?? 0)
    if (d !== 0 && method !== 'WaitForUpdatesEx') out[method] = d
  }
  return out
}

const total = (calls: Record<string, number>): number => Object.values(calls).reduce((s, n) => s + n, 0)
const show = (calls: Record<string, number>, per = 1): string =>
  Object.entries(calls)
    .map(([m, n]) => `${m}×${(n / per).toFixed(per === 1 ? 0 : 2)}`)
    .join(' ')

/** SOAP calls of single renames, each on a quiet system. */
async function costs(b: Bench): Promise<void> {
  const { app, sim } = b
  await post(app, '/v1/containers', { name: 'solo' })
  await post(app, '/v1/containers', { name: 'hub', networks: { bridge: {} } })
  for (const n of [1, 2, 3]) await post(app, '/v1/containers', { name: `spoke${n}`, networks: { bridge: {} }, links: ['hub:h'] })
  await rename(app, 'solo', 'solo-warm') // the check's view is made once, on the first rename

  const rows: Array<[string, Record<string, number>]> = []
  for (const [label, from, to] of [
    ['unlinked', 'solo-warm', 'solo-a'],
    ['unlinked, again', 'solo-a', 'solo-b'],
    ['3 linked containers', 'hub', 'hub-2'],
  ] as const) {
    const before = await quiet(sim)
    await rename(app, from, to)
    rows.push([label, delta(before, await quiet(sim))])
  }
  console.log('SOAP calls per rename (quiet system; WaitForUpdatesEx loop not counted):')
  for (const [label, calls] of rows) console.log(`  ${label.padEnd(22)} ${String(total(calls)).padStart(2)}  ${show(calls)}`)
}

/** Renames per second with `workers` clients, each renaming its own two containers in turn. */
async function throughput(b: Bench, workers: number, count: number, tag: string): Promise<{ perSecond: number; calls: Record<string, number> }> {
  const { app, sim } = b
  const refs: string[][] = []
  for (let w = 0; w < workers; w++) {
    const mine: string[] = []
    for (const k of [0, 1]) {
      const res = await app.inject({ method: 'POST', url: '/v1/containers', payload: { name: `${tag}-${w}-${k}` } })
      mine.push((res.json() as { id: string }).id)
    }
    refs.push(mine)
  }
  const perWorker = Math.ceil(count / workers)
  const before = await quiet(sim)
  b.proxy.clear()
  const started = performance.now()
  await Promise.all(
    refs.map(async (mine, w) => {
      for (let i = 0; i < perWorker; i++) await rename(app, mine[i % 2]!, `${tag}-${w}-r${i}`)
    }),
  )
  const seconds = (performance.now() - started) / 1000
  return { perSecond: (perWorker * workers) / seconds, calls: delta(before, await sim.stats()) }
}

/** The recorded request bytes of the last run, replayed on `workers` keep-alive sockets; renames per second. */
async function floor(b: Bench, workers: number, renamesDone: number): Promise<number> {
  const requests = b.proxy.requests.filter((r) => !notReplayed.test(r.toString('latin1')))
  const conns = await Promise.all(Array.from({ length: workers }, () => RawConnection.open(b.sim.url)))
  try {
    const share = Math.ceil(requests.length / workers)
    const started = performance.now()
    await Promise.all(
      conns.map(async (conn, w) => {
        for (const request of requests.slice(w * share, (w + 1) * share)) {
          const status = await conn.send(request)
          if (status !== 200) throw new Error(`raw replay got HTTP ${status}`)
        }
      }),
    )
    return renamesDone / ((performance.now() - started) / 1000)
  } finally {
    for (const c of conns) c.close()
  }
}

async function main(): Promise<void> {
  const b = await start()
  try {
    await costs(b)
    console.log('')
    console.log(`renames per second (${renames} renames, unlinked containers):`)
    for (const workers of [1, concurrency]) {
      const count = workers === 1 ? Math.ceil(renames / 4) : renames
      const run = await throughput(b, workers, count, `c${workers}`)
      const done = Math.ceil(count / workers) * workers
      const raw = await floor(b, workers, done)
      console.log(
        `  concurrency ${String(workers).padStart(2)}: ${run.perSecond.toFixed(1).padStart(7)}/s   raw replay ${raw.toFixed(1).padStart(7)}/s` +
          `   ratio ${(raw / run.perSecond).toFixed(2)}×   SOAP calls per rename ${(total(run.calls) / done).toFixed(2)} (${show(run.calls, done)})`,
      )
    }
  } finally {
    await b.app.close()
    await b.runtime.close()
    await b.proxy.stop()
    await b.sim.stop()
  }
}

await main()
