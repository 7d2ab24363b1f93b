// SOAP calls per second through portlayer's vim client against the floor: the same request bytes replayed raw
// over plain keep-alive sockets (bench/raw-replay.ts). Prints the ratio (goal ≤ 1.2×) at concurrency 1 and 8,
// and the round trips each client operation costs, counted by the simulator.
//
//   npx tsx bench/soap-client.ts [--iterations 300] [--vms 4]
import { existsSync } from 'node:fs'
import http from 'node:http'
import { parseArgs } from 'node:util'
import axios from 'axios'
import { startGovcsim, type Govcsim } from '../src/sim/launcher.js'
import { connect, moref, type MoRef, type VimClient } from '../src/vim/index.js'
import { textAdapter } from '../src/vim/transport/text-adapter.js'
import { RawConnection, RecordingProxy, splitRequest, type RecordedRequest } from './raw-replay.js'

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '300' },
    vms: { type: 'string', default: '2' },
    runs: { type: 'string', default: '3' },
  },
})
const iterations = Number(args.iterations)
const runs = Number(args.runs)

const paths = ['name', 'config.extraConfig', 'runtime.powerState', 'config.changeVersion']

interface Fixture {
  vms: MoRef<'VirtualMachine'>[]
  target: MoRef<'VirtualMachine'>
  dcName: string
}

/**
 * The fixed mix: each request stands alone (no request depends on an earlier answer), so its bytes can be
 * replayed. 6 SOAP calls: a batched read of every VM, an inventory lookup, a reconfigure and its task read,
 * a ping, a single-VM read.
 */
async function mix(client: VimClient, f: Fixture): Promise<void> {
  await client.retrieve(f.vms, paths)
  await client.findByInventoryPath(`/${f.dcName}/vm`)
  await client.reconfigureVM(f.target, { extraConfig: [{ key: 'bench/key', value: 'value & <more>' }] })
  await client.ping()
  await client.retrieveOne(f.target, ['config.extraConfig'])
}
const callsPerMix = 6

async function timed(concurrency: number, work: () => Promise<void>): Promise<number> {
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, work))
  return (performance.now() - started) / 1000
}

async function clientRun(client: VimClient, f: Fixture, concurrency: number): Promise<number> {
  const perWorker = Math.ceil(iterations / concurrency)
  const seconds = await timed(concurrency, async () => {
    for (let i = 0; i < perWorker; i++) await mix(client, f)
  })
  return (perWorker * concurrency * callsPerMix) / seconds
}

async function rawRun(url: string, requests: Buffer[], concurrency: number): Promise<number> {
  const perWorker = Math.ceil(iterations / concurrency)
  const conns = await Promise.all(Array.from({ length: concurrency }, () => RawConnection.open(url)))
  try {
    let i = 0
    const seconds = await timed(concurrency, async () => {
      const conn = conns[i++]!
      for (let n = 0; n < perWorker; n++) {
        for (const request of requests) {
          const status = await conn.send(request)
          if (status !== 200) throw new Error(`raw replay got HTTP ${status}`)
        }
      }
    })
    return (perWorker * concurrency * requests.length) / seconds
  } finally {
    for (const c of conns) c.close()
  }
}

/** The same requests through node:http (HTTP framing and parsing, nothing else): where the HTTP stack's cost starts. */
async function nodeHttpRun(url: string, requests: RecordedRequest[], concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const target = new URL(url)
  const send = (r: RecordedRequest): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: r.method,
          path: r.path,
          agent,
          headers: { ...r.headers, 'content-length': r.body.length },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            Buffer.concat(chunks).toString('utf8')
            if (res.statusCode !== 200) reject(new Error(`node:http replay got HTTP ${res.statusCode}`))
            else resolve()
          })
        },
      )
      req.on('error', reject)
      req.end(r.body)
    })
  try {
    const perWorker = Math.ceil(iterations / concurrency)
    const seconds = await timed(concurrency, async () => {
      for (let n = 0; n < perWorker; n++) for (const r of requests) await send(r)
    })
    return (perWorker * concurrency * requests.length) / seconds
  } finally {
    agent.destroy()
  }
}

/** The same requests through axios configured as the client's transport is: the HTTP library's own cost. */
async function axiosRun(url: string, requests: RecordedRequest[], concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const client = axios.create({
    httpAgent: agent,
    proxy: false,
    maxRedirects: 0,
    responseType: 'text',
    transformResponse: [(d: unknown) => d],
    validateStatus: () => true,
    adapter: textAdapter,
  })
  const origin = new URL(url).origin
  try {
    const perWorker = Math.ceil(iterations / concurrency)
    const seconds = await timed(concurrency, async () => {
      for (let n = 0; n < perWorker; n++) {
        for (const r of requests) {
          const res = await client.request({ method: r.method, url: origin + r.path, headers: r.headers, data: r.body })
          if (res.status !== 200) throw new Error(`axios replay got HTTP ${res.status}`)
        }
      }
    })
    return (perWorker * concurrency * requests.length) / seconds
  } finally {
    agent.destroy()
  }
}

async function setupFixture(client: VimClient, sim: Govcsim): Promise<Fixture> {
  const dc = sim.inventory.datacenters[0]!
  const vms = dc.vms.map((vm) => moref('VirtualMachine', vm.moref))
  const pool = moref('ResourcePool', dc.resourcePools[0]!.moref)
  const ds = dc.datastores[0]!.name
  const target = await client.createVM(
    moref('Folder', dc.vmFolder),
    { name: 'bench', guestId: 'otherGuest', files: { vmPathName: `[${ds}] bench/bench.vmx` } },
    pool,
  )
  return { vms: [...vms, target], target, dcName: dc.name }
}

/** Round trips per client operation, from the simulator's own counter. */
async function roundTrips(client: VimClient, sim: Govcsim, f: Fixture): Promise<Array<[string, number, string]>> {
  const dc = sim.inventory.datacenters[0]!
  const pool = moref('ResourcePool', dc.resourcePools[0]!.moref)
  const ds = dc.datastores[0]!.name
  const rows: Array<[string, number, string]> = []
  const measure = async (op: string, run: () => Promise<unknown>): Promise<void> => {
    const before = await sim.stats()
    await run()
    const after = await sim.stats()
    const calls = Object.entries(after)
      .map(([m, n]) => [m, n - (before[m] ?? 0)] as const)
      .filter(([, n]) => n > 0)
    rows.push([op, calls.reduce((s, [, n]) => s + n, 0), calls.map(([m, n]) => `${m}×${n}`).join(' ')])
  }
  let vm: MoRef<'VirtualMachine'> | undefined
  await measure('create VM', async () => {
    vm = await client.createVM(
      moref('Folder', dc.vmFolder),
      { name: 'rt-probe', guestId: 'otherGuest', files: { vmPathName: `[${ds}] rt-probe/rt-probe.vmx` } },
      pool,
    )
  })
  const probe = vm!
  await measure('read changeVersion', () => client.retrieveOne(probe, ['config.changeVersion']))
  await measure('reconfigure (ExtraConfig)', () => client.reconfigureVM(probe, { extraConfig: [{ key: 'k', value: 'v' }] }))
  await measure('rename', () => client.rename(probe, 'rt-probe-2'))
  await measure('power on', () => client.powerOn(probe))
  await measure('power off', () => client.powerOff(probe))
  await measure(`list ${f.vms.length + 1} VMs (ContainerView)`, () =>
    client.list(client.serviceContent.rootFolder, 'VirtualMachine', paths),
  )
  await measure(`batched read of ${f.vms.length} VMs`, () => client.retrieve(f.vms, paths))
  await measure('destroy VM', () => client.destroy(probe))
  return rows
}

async function main(): Promise<void> {
  const sim = await startGovcsim({
    vms: Number(args.vms),
    standaloneHosts: 0,
    ...(existsSync('/dev/shm') ? { tmpdir: '/dev/shm' } : {}),
  })
  const recorder = await RecordingProxy.start(sim.url)
  try {
    const creds = { username: sim.username, password: sim.password, keepAliveMs: 0 }
    const client = await connect({ url: sim.url, ...creds, maxConcurrent: 8 })
    const fixture = await setupFixture(client, sim)

    // record one mix as the client writes it; that client stays logged in so the recorded cookie stays valid
    const recording = await connect({ url: recorder.url, ...creds })
    recorder.clear()
    await mix(recording, fixture)
    const requests = [...recorder.requests]
    if (requests.length !== callsPerMix) throw new Error(`recorded ${requests.length} requests, expected ${callsPerMix}`)

    // warm both paths (JIT, sockets)
    await clientRun(client, fixture, 8)
    await rawRun(sim.url, requests, 8)

    const recorded = requests.map(splitRequest)
    console.log(`vim client vs raw replay, ${iterations} mixes of ${callsPerMix} calls, best of ${runs} runs`)
    for (const concurrency of [1, 8]) {
      const best = { raw: 0, nodeHttp: 0, axios: 0, client: 0 }
      for (let r = 0; r < runs; r++) {
        best.raw = Math.max(best.raw, await rawRun(sim.url, requests, concurrency))
        best.nodeHttp = Math.max(best.nodeHttp, await nodeHttpRun(sim.url, recorded, concurrency))
        best.axios = Math.max(best.axios, await axiosRun(sim.url, recorded, concurrency))
        best.client = Math.max(best.client, await clientRun(client, fixture, concurrency))
      }
      const ratio = best.raw / best.client
      const us = (callsPerSecond: number): string => `${(1e6 / callsPerSecond).toFixed(0)} µs`
      console.log(
        `  c=${concurrency}: client ${best.client.toFixed(0)} calls/s, raw ${best.raw.toFixed(0)} calls/s, ` +
          `ratio ${ratio.toFixed(2)}× (goal ≤ 1.20×) ${ratio <= 1.2 ? 'ok' : 'OVER'}`,
      )
      console.log(
        `        time per call: raw socket ${us(best.raw)}, node:http ${us(best.nodeHttp)}, ` +
          `axios ${us(best.axios)}, vim client ${us(best.client)}`,
      )
    }

    console.log('round trips per operation (simulator request counter):')
    for (const [op, n, detail] of await roundTrips(client, sim, fixture)) {
      console.log(`  ${op.padEnd(32)} ${String(n).padStart(2)}  ${detail}`)
    }
    await client.close()
    await recording.close()
  } finally {
    await recorder.stop()
    await sim.stop()
  }
}

await main()
