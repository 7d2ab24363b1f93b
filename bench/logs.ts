/**
 * What the logs endpoint fetches from the datastore: a ~200 MB `output.log` (lines of 60..140 bytes, written with
 * the iolog writer and PUT on a govcsim datastore through the vim client), read through portlayer's REST API
 * (composed as `portlayer serve` does) in several ways. For each read it reports the bytes fetched by two
 * independent counts: the service's own (file content received, from its `logs served` log line) and a TCP proxy
 * between portlayer and the simulator (every byte on the wire, HTTP headers and the background SOAP included).
 * The point is `tail=10`: kilobytes, whatever the size of the file. Full reads are streamed over real HTTP and
 * timed as well, by the wall clock and by this process's CPU time (the machine may be shared; portlayer and the
 * HTTP client run in this process, govcsim in its own).
 *
 *   npx tsx bench/logs.ts [megabytes]
 */
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { Readable, Writable } from 'node:stream'
import pino from 'pino'
import { buildApp } from '../src/api/app.js'
import { simulatorEndpoint } from '../src/cli/serve.js'
import type { Config } from '../src/config.js'
import type { ContainerView } from '../src/container/types.js'
import { compose } from '../src/di.js'
import { LogWriter } from '../src/logs/iolog/index.js'
import { startGovcsim } from '../src/sim/launcher.js'
import { connect } from '../src/vim/index.js'

const targetMB = Number(process.argv[2] ?? 200)
const MB = 1024 * 1024

/** Counts the bytes the simulator sends back to portlayer. */
class CountingProxy {
  downstream = 0
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()

  private constructor(private readonly target: URL) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname)
      this.sockets.add(client).add(upstream)
      client.pipe(upstream)
      upstream.on('data', (chunk: Buffer) => {
        this.downstream += chunk.length
        client.write(chunk)
      })
      const close = (): void => {
        client.destroy()
        upstream.destroy()
      }
      client.on('close', close).on('error', close)
      upstream.on('close', close).on('error', close)
    })
  }

  static async start(url: string): Promise<CountingProxy> {
    const proxy = new CountingProxy(new URL(url))
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get url(): string {
    const url = new URL(this.target.href)
    url.port = String((this.server.address() as AddressInfo).port)
    return url.href
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** Lines of 60..140 printable bytes from a fixed seed, written in 4 KiB pieces with a clock that moves on. */
function* logPieces(megabytes: number): Generator<Buffer> {
  let seed = 7
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x80000000
  }
  const block = Buffer.alloc(MB)
  for (let at = 0; at < block.length; ) {
    const length = Math.min(60 + Math.floor(random() * 81), block.length - at)
    for (let i = 0; i < length - 1; i++) block[at + i] = 32 + Math.floor(random() * 95)
    block[at + length - 1] = 0x0a
    at += length
  }
  for (let i = 0; i < megabytes; i++) for (let at = 0; at < MB; at += 4096) yield block.subarray(at, at + 4096)
}

const records: Array<Record<string, unknown>> = []
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) records.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  }),
)

const sim = await startGovcsim({ tmpdir: '/dev/shm', startTimeoutMs: 120_000 })
const proxy = await CountingProxy.start(sim.url)
const config: Config = {
  listen: { host: '127.0.0.1', port: 0 },
  logLevel: 'info',
  vsphere: { ...simulatorEndpoint(sim), url: proxy.url },
}
const runtime = await compose(config, logger)
const app = buildApp({ service: runtime.service, logger })
const client = await connect({ url: sim.url, username: sim.username, password: sim.password, keepAliveMs: 0 })
try {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const created = await app.inject({ method: 'POST', url: '/v1/containers', payload: { name: 'chatty' } })
  const c = created.json() as ContainerView

  let time = 1_700_000_000_000_000_000n
  const writer = new LogWriter({ clock: () => (time += 1_234_567n) })
  const file = { datastore: c.vm.datastore, datacenter: sim.inventory.datacenters[0]!.name, path: `${c.vm.folder}/output.log` }
  const writeStarted = performance.now()
  await client.files.put(file, Readable.from(logPieces(targetMB)).pipe(writer))
  const size = await client.files.size(file)
  console.log(`output.log: ${(size / MB).toFixed(1)} MB (${size} bytes), written in ${((performance.now() - writeStarted) / 1000).toFixed(1)} s`)
  const lastSecond = Number(time / 1_000_000_000n) - 1

  async function read(name: string, query: string): Promise<void> {
    const opId = `bench-${records.length}-${name.replace(/\W+/g, '-')}`
    const wireBefore = proxy.downstream
    const started = performance.now()
    const cpuStarted = process.cpuUsage()
    let out = 0
    await new Promise<void>((resolve, reject) => {
      http
        .get(`${base}/v1/containers/${c.id}/logs?${query}`, { headers: { 'op-id': opId } }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`${name}: HTTP ${res.statusCode}`))
          res.on('data', (chunk: Buffer) => (out += chunk.length))
          res.on('end', resolve)
          res.on('error', reject)
        })
        .on('error', reject)
    })
    const ms = performance.now() - started
    const cpu = process.cpuUsage(cpuStarted)
    const cpuSeconds = (cpu.user + cpu.system) / 1e6
    const wire = proxy.downstream - wireBefore
    let served: Record<string, unknown> | undefined
    for (let i = 0; i < 100 && !served; i++) {
      served = records.find((r) => r['opId'] === opId && r['msg'] === 'logs served')
      if (!served) await new Promise((r) => setTimeout(r, 10))
    }
    const bytes = Number(served?.['bytes'] ?? NaN)
    const share = bytes / size
    const speed =
      `${(size / MB / (ms / 1000)).toFixed(0).padStart(4)} MB/s of log by wall clock, ` +
      `${(size / MB / cpuSeconds).toFixed(0).padStart(4)} MB/s by this process's CPU time`
    console.log(
      `${name.padEnd(28)} fetched ${String(bytes).padStart(10)} B in ${String(served?.['requests']).padStart(2)} req ` +
        `(${(share * 100).toPrecision(3).padStart(6)}% of the file; wire ${String(wire).padStart(10)} B) | ` +
        `out ${String(out).padStart(10)} B | ${ms.toFixed(0).padStart(6)} ms` +
        (share > 0.5 ? ` | ${speed}` : ''),
    )
  }

  await read('tail=10', 'tail=10')
  await read('tail=10 timestamps', 'tail=10&timestamps=true')
  await read('tail=10 json-file', 'tail=10&format=json-file')
  await read('tail=1000', 'tail=1000')
  await read('since=<last second>', `since=${lastSecond}`)
  await read('tail=10 stdout only', 'tail=10&stderr=false')
  await read('all, raw', '')
  await read('all, raw, timestamps', 'timestamps=true')
  await read('all, json-file', 'format=json-file')
} finally {
  await app.close()
  await runtime.close()
  await client.close()
  await proxy.stop()
  await sim.stop()
}
