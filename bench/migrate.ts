/**
 * The migration job at scale: N container VMs (default 10 000) in govcsim, half legacy (v0 and v1, each with a
 * hidden name to write), half current; then `portlayer migrate` as a child process, as an operator runs it:
 * a dry run, the real run, a second run, and a dry run with node's heap capped. For each: VMs per second and the
 * ratio to the floor (the same property pages fetched over raw SOAP and not parsed), SOAP calls per method
 * (govcsim's exact counts), the property round trips of the listing against the goal ⌈N/500⌉ + a small constant,
 * and the peak RSS of the job's process against the goal of 256 MB. Not part of `npm test`.
 *
 *   npx tsx bench/migrate.ts [N] [concurrency]
 *
 * The job runs as the installed command does: the sources compiled with tsconfig.build.json (into
 * node_modules/.cache/portlayer-bench, where the dependencies resolve) and started with plain node, which reports
 * its own peak RSS (getrusage) when it exits, so the figure is the job's and not the bench's. The capped run shows
 * what the job needs rather than what V8 lets its heap grow to between two full collections.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { JobReport } from '../src/migration/report.js'
import { memoryTmpdir, startGovcsim } from '../src/sim/launcher.js'
import { discoverPlugins } from '../src/migration/discover.js'
import { listingKeys, listingPaths } from '../src/migration/job-inventory.js'
import { el, propertyCollector, RawSoap, textOf } from '../test/helpers/raw-soap.js'
import { createFleet, type FleetKind } from '../test/integration/migration/fleet.js'

const pageSize = 500
const rssGoalMB = 256
/** Node's own heap cap for the job's process, for the phase that shows what the job needs rather than keeps. */
const heapCapMB = 128

const repo = fileURLToPath(new URL('../', import.meta.url))
const buildDir = join(repo, 'node_modules', '.cache', 'portlayer-bench')
const rssReporter = join(buildDir, 'report-max-rss.mjs')

await bench(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 8))

/** The command as installed: compiled JavaScript, plus a preload that prints the peak RSS at exit. */
function build(): void {
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc')
  try {
    execFileSync(process.execPath, [tsc, '-p', join(repo, 'tsconfig.build.json'), '--outDir', buildDir], { stdio: 'pipe' })
  } catch (err) {
    // tsc writes the JavaScript even when some file does not type-check; the job needs only its own modules
    if (!existsSync(join(buildDir, 'src', 'cli', 'main.js'))) throw err
    console.error('bench: the build reported type errors (see `npm run typecheck`); running the emitted JavaScript')
  }
  // ru_maxrss is in kilobytes on Linux
  writeFileSync(rssReporter, "process.on('exit', () => process.stderr.write(`\\nmaxrss_kb=${process.resourceUsage().maxRSS}\\n`))\n")
}

interface Phase {
  phase: string
  seconds: number
  vmsPerSecond: number
  calls: Record<string, number>
  listingRoundTrips: number
  peakRssMB: number
  report: JobReport
}

async function bench(n: number, concurrency: number): Promise<void> {
  build()
  const sim = await startGovcsim({ tmpdir: memoryTmpdir() })
  try {
    const dc = sim.inventory.datacenters[0]!
    const soap = await RawSoap.connect(sim.url, sim.username, sim.password)
    const kind = (i: number): FleetKind => (i % 2 === 1 ? 'current-v10' : i % 4 === 0 ? 'legacy-v0' : 'legacy-v1')
    let t = performance.now()
    await createFleet(soap, dc, { count: n, kind, concurrency: 32 })
    const createSeconds = (performance.now() - t) / 1000
    console.log(JSON.stringify({ phase: 'create', n, seconds: round(createSeconds), vmsPerSecond: Math.round(n / createSeconds) }))

    const floor = await rawListing(soap, { type: 'Folder', value: dc.vmFolder })
    soap.close()
    console.log(JSON.stringify({ phase: 'raw-listing', ...floor }))

    const url = new URL(sim.url)
    url.username = sim.username
    url.password = sim.password
    const phases: Phase[] = []
    const runs: Array<[string, string[], string[]]> = [
      ['dry-run', ['--dry-run'], []],
      ['migrate', [], []],
      ['second-run', [], []],
      [`dry-run, heap ≤ ${heapCapMB} MB`, ['--dry-run'], [`--max-old-space-size=${heapCapMB}`]],
    ]
    for (const [phase, extra, nodeFlags] of runs) {
      await sim.resetStats()
      t = performance.now()
      const { report, maxRssKB } = await runJob(['--url', url.href, '--concurrency', String(concurrency), ...extra], nodeFlags)
      const seconds = (performance.now() - t) / 1000
      const calls = await sim.stats()
      const result: Phase = {
        phase,
        seconds: round(seconds),
        vmsPerSecond: Math.round(n / seconds),
        calls,
        // every RetrievePropertiesEx that is not a task's outcome: pages, the view's member list
        listingRoundTrips:
          (calls['RetrievePropertiesEx'] ?? 0) + (calls['ContinueRetrievePropertiesEx'] ?? 0) - (calls['ReconfigVM_Task'] ?? 0),
        peakRssMB: Math.round(maxRssKB / 1024),
        report,
      }
      phases.push(result)
      const { report: _, ...line } = result
      console.log(JSON.stringify({ ...line, totals: report.totals }))
    }

    const goal = Math.ceil(n / pageSize)
    const real = phases.find((p) => p.phase === 'migrate')!
    console.log(
      [
        '',
        `migrate ${n} VMs (${n / 2} legacy), concurrency ${concurrency}, govcsim on the same machine:`,
        `  raw listing floor (the same pages over raw SOAP, no XML parsed): ${floor.seconds.toFixed(2)} s, ${floor.roundTrips} round trips`,
        ...phases.map(
          (p) =>
            `  ${p.phase.padEnd(24)} ${p.seconds.toFixed(2).padStart(7)} s ${String(p.vmsPerSecond).padStart(5)} VMs/s ` +
            `(${(p.seconds / floor.seconds).toFixed(1)}× the listing floor)  ${p.report.totals.writes} writes  ` +
            `listing ${p.listingRoundTrips} property round trips (goal ${goal} + small constant)  ` +
            `peak RSS ${p.peakRssMB} MB (goal ≤ ${rssGoalMB})`,
        ),
        `  writes per legacy VM: ${(real.report.totals.writes / (n / 2)).toFixed(2)}; ` +
          `second run writes ${phases.find((p) => p.phase === 'second-run')!.report.totals.writes}`,
      ].join('\n'),
    )
  } finally {
    await sim.stop()
  }
}

/** The listing's pages over raw SOAP, answers read as text only: what the server and the wire cost. */
async function rawListing(soap: RawSoap, folder: { type: string; value: string }): Promise<{ seconds: number; roundTrips: number; megabytes: number }> {
  const t = performance.now()
  let reply = await soap.listVMs(folder, listingPaths(listingKeys(await discoverPlugins())), pageSize)
  let roundTrips = 1
  let bytes = reply.text.length
  for (let token = textOf(reply.text, 'token'); token !== undefined; token = textOf(reply.text, 'token')) {
    reply = await soap.call('ContinueRetrievePropertiesEx', propertyCollector, el('token', token))
    roundTrips++
    bytes += reply.text.length
  }
  return { seconds: round((performance.now() - t) / 1000), roundTrips, megabytes: Math.round(bytes / 1e6) }
}

function runJob(args: string[], nodeFlags: string[]): Promise<{ report: JobReport; maxRssKB: number }> {
  return new Promise((resolve, reject) => {
    const main = join(buildDir, 'src', 'cli', 'main.js')
    const child = spawn(process.execPath, [...nodeFlags, '--import', rssReporter, main, 'migrate', '--json', '--log-level', 'warn', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('exit', (code) => {
      const rss = /maxrss_kb=(\d+)/.exec(err)?.[1]
      if ((code !== 0 && code !== 1) || rss === undefined) {
        reject(new Error(`the job exited with ${code}: ${err.slice(-2000)}`))
        return
      }
      resolve({ report: JSON.parse(out) as JobReport, maxRssKB: Number(rss) })
    })
  })
}

function round(x: number): number {
  return Math.round(x * 100) / 100
}

