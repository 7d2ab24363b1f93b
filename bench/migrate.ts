/**
 * The migration job at scale, beside the peer: N container VMs (default 10 000) in govcsim, half legacy (v0 and
 * v1, each with a hidden name to write), half current, VIC-sized ExtraConfig; then `portlayer migrate` as a child
 * process, as an operator runs it: the real run, then a second run that must write nothing. For each: VMs per
 * second, SOAP calls per method (govcsim's exact counts), the property round trips of the listing against the goal
 * ⌈N/500⌉ + a small constant, CPU seconds of the job and of govcsim, and the peak RSS of the job's process against
 * the goal of 256 MB. The bytes the listing reads are measured by sending its very requests over raw SOAP, next to
 * the bytes of the whole-ExtraConfig listing the job made before its plugins declared their keys.
 *
 * With `--peer <dir>` (the directory `sh ../shared/peer/build.sh` prints) it also runs govmomi's peer on a fresh
 * simulator: `peerbench -phases create,migrate -legacy-pct 50 -extra-keys 67 -n N`, whose migrate phase lists every
 * VM's ExtraConfig and adds common/name to each legacy one, and prints the ratio against the goal of 1.3×.
 * Not part of `npm test`; run no other benchmark beside it (two on two cores measure each other).
 *
 *   npx tsx bench/migrate.ts [N] [concurrency] [--peer <dir>]
 *
 * The job runs as the installed command does: the sources compiled with tsconfig.build.json (into
 * node_modules/.cache/portlayer-bench, where the dependencies resolve) and started with plain node, which reports
 * its own peak RSS and CPU (getrusage) when it exits, so the figures are the job's and not the bench's.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { discoverPlugins } from '../src/migration/discover.js'
import { listingKeys, listingPaths } from '../src/migration/job-inventory.js'
import type { JobReport } from '../src/migration/report.js'
import { memoryTmpdir, startGovcsim, type Govcsim } from '../src/sim/launcher.js'
import { el, propertyCollector, RawSoap, textOf } from '../test/helpers/raw-soap.js'
import { createFleet, type FleetKind } from '../test/integration/migration/fleet.js'

const pageSize = 500
const rssGoalMB = 256
const peerRatioGoal = 1.3

const repo = fileURLToPath(new URL('../', import.meta.url))
const buildDir = join(repo, 'node_modules', '.cache', 'portlayer-bench')
const rssReporter = join(buildDir, 'report-rusage.mjs')

const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--peer')
const peerFlag = process.argv.indexOf('--peer')
const peerDir = peerFlag >= 0 ? process.argv[peerFlag + 1] : undefined
await bench(Number(positional[0] ?? 10_000), Number(positional[1] ?? 8), peerDir)

/** The command as installed: compiled JavaScript, plus a preload that prints its rusage at exit. */
function build(): void {
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc')
  try {
    execFileSync(process.execPath, [tsc, '-p', join(repo, 'tsconfig.build.json'), '--outDir', buildDir], { stdio: 'pipe' })
  } catch (err) {
    // tsc writes the JavaScript even when some file does not type-check; the job needs only its own modules
    if (!existsSync(join(buildDir, 'src', 'cli', 'main.js'))) throw err
    console.error('bench: the build reported type errors (see `npm run typecheck`); running the emitted JavaScript')
  }
  // ru_maxrss is in kilobytes on Linux, CPU times in microseconds
  writeFileSync(
    rssReporter,
    'process.on(\'exit\', () => { const u = process.resourceUsage(); process.stderr.write(`\\nmaxrss_kb=${u.maxRSS} cpu_us=${u.userCPUTime + u.systemCPUTime}\\n`) })\n',
  )
}

interface Phase {
  phase: string
  seconds: number
  vmsPerSecond: number
  calls: Record<string, number>
  listingRoundTrips: number
  peakRssMB: number
  jobCpuSeconds: number
  simCpuSeconds: number
  report: JobReport
}

/** CPU seconds a process has used so far (utime + stime from /proc, in clock ticks of 100 Hz). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

async function bench(n: number, concurrency: number, peer: string | undefined): Promise<void> {
  build()
  const keys = listingKeys(await discoverPlugins())
  const sim = await startGovcsim({ tmpdir: memoryTmpdir() })
  let real: Phase | undefined
  let second: Phase | undefined
  let listing: { selected: RawListing; whole: RawListing } | undefined
  try {
    const dc = sim.inventory.datacenters[0]!
    const soap = await RawSoap.connect(sim.url, sim.username, sim.password)
    const kind = (i: number): FleetKind => (i % 2 === 1 ? 'current-v10' : i % 4 === 0 ? 'legacy-v0' : 'legacy-v1')
    let t = performance.now()
    await createFleet(soap, dc, { count: n, kind, concurrency: 32 })
    const createSeconds = (performance.now() - t) / 1000
    console.log(JSON.stringify({ phase: 'create', n, seconds: round(createSeconds), vmsPerSecond: Math.round(n / createSeconds) }))

    const folder = { type: 'Folder', value: dc.vmFolder }
    listing = {
      selected: await rawListing(soap, folder, listingPaths(keys)),
      whole: await rawListing(soap, folder, listingPaths(undefined)),
    }
    soap.close()
    console.log(JSON.stringify({ phase: 'raw-listing', keys: keys?.length ?? 'all', ...listing }))

    const url = new URL(sim.url)
    url.username = sim.username
    url.password = sim.password
    for (const phase of ['migrate', 'second-run']) {
      await sim.resetStats()
      const simCpu = cpuSeconds(sim.pid)
      t = performance.now()
      const { report, maxRssKB, cpuUs } = await runJob(['--url', url.href, '--concurrency', String(concurrency)])
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
        jobCpuSeconds: round(cpuUs / 1e6),
        simCpuSeconds: round(cpuSeconds(sim.pid) - simCpu),
        report,
      }
      if (phase === 'migrate') real = result
      else second = result
      const { report: _, ...line } = result
      console.log(JSON.stringify({ ...line, totals: report.totals }))
    }
  } finally {
    await sim.stop()
  }

  const peerResult = peer ? await runPeer(peer, n) : undefined
  const goal = Math.ceil(n / pageSize)
  const lines = [
    '',
    `migrate ${n} VMs (${n / 2} legacy), concurrency ${concurrency}, govcsim on the same machine:`,
    `  listing reads ${listing!.selected.megabytes} MB in ${listing!.selected.roundTrips} round trips ` +
      `(${keys?.length ?? 'all'} ExtraConfig keys a VM; the whole ExtraConfig would be ${listing!.whole.megabytes} MB, ` +
      `raw replay ${listing!.selected.seconds} s against ${listing!.whole.seconds} s)`,
    ...[real!, second!].map(
      (p) =>
        `  ${p.phase.padEnd(11)} ${p.seconds.toFixed(2).padStart(7)} s ${String(p.vmsPerSecond).padStart(5)} VMs/s  ` +
        `${p.report.totals.writes} writes  listing ${p.listingRoundTrips} property round trips (goal ${goal} + small constant)  ` +
        `peak RSS ${p.peakRssMB} MB (goal ≤ ${rssGoalMB})  CPU ms/VM: job ${((p.jobCpuSeconds * 1000) / n).toFixed(2)}, ` +
        `govcsim ${((p.simCpuSeconds * 1000) / n).toFixed(2)}`,
    ),
    `  second run writes ${second!.report.totals.writes}`,
  ]
  if (peerResult) {
    const ratio = real!.vmsPerSecond / peerResult.vmsPerSecond
    lines.push(
      `  peer (govmomi, ${peerResult.extra}): ${peerResult.seconds.toFixed(2)} s ${Math.round(peerResult.vmsPerSecond)} VMs/s, ` +
        `govcsim CPU ms/VM ${((peerResult.simCpuSeconds * 1000) / n).toFixed(2)}`,
      `  portlayer / peer: ${ratio.toFixed(2)}× (goal ≥ ${peerRatioGoal}×)`,
    )
  }
  console.log(lines.join('\n'))
}

interface RawListing {
  seconds: number
  roundTrips: number
  megabytes: number
}

/** The listing's pages over raw SOAP, answers read as text only: what the server and the wire cost. */
async function rawListing(soap: RawSoap, folder: { type: string; value: string }, paths: string[]): Promise<RawListing> {
  const t = performance.now()
  let reply = await soap.listVMs(folder, paths, pageSize)
  let roundTrips = 1
  let bytes = Buffer.byteLength(reply.text)
  for (let token = textOf(reply.text, 'token'); token !== undefined; token = textOf(reply.text, 'token')) {
    reply = await soap.call('ContinueRetrievePropertiesEx', propertyCollector, el('token', token))
    roundTrips++
    bytes += Buffer.byteLength(reply.text)
  }
  return { seconds: round((performance.now() - t) / 1000), roundTrips, megabytes: round(bytes / 1e6) }
}

function runJob(args: string[]): Promise<{ report: JobReport; maxRssKB: number; cpuUs: number }> {
  return new Promise((resolve, reject) => {
    const main = join(buildDir, 'src', 'cli', 'main.js')
    const child = spawn(process.execPath, ['--import', rssReporter, main, 'migrate', '--json', '--log-level', 'warn', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('exit', (code) => {
      const usage = /maxrss_kb=(\d+) cpu_us=(\d+)/.exec(err)
      if ((code !== 0 && code !== 1) || usage === null) {
        reject(new Error(`the job exited with ${code}: ${err.slice(-2000)}`))
        return
      }
      resolve({ report: JSON.parse(out) as JobReport, maxRssKB: Number(usage[1]), cpuUs: Number(usage[2]) })
    })
  })
}

interface PeerPhase {
  seconds: number
  vmsPerSecond: number
  extra: string
  simCpuSeconds: number
}

/** govmomi's peer on a simulator of its own: its create phase, then its migrate phase, timed by itself. */
async function runPeer(dir: string, n: number): Promise<PeerPhase> {
  const sim: Govcsim = await startGovcsim({ tmpdir: memoryTmpdir() })
  try {
    const url = new URL(sim.url)
    url.username = sim.username
    url.password = sim.password
    const args = ['-phases', 'create,migrate', '-legacy-pct', '50', '-extra-keys', '67', '-n', String(n), '-url', url.href]
    let simCpuAtMigrate = 0
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(join(dir, 'peerbench'), args, { stdio: ['ignore', 'pipe', 'pipe'] })
      let text = ''
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8')
        // the create phase's line comes out as soon as it ends: govcsim's CPU from there is the migrate phase's
        if (simCpuAtMigrate === 0 && text.includes('"phase":"create"')) simCpuAtMigrate = cpuSeconds(sim.pid)
      })
      child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk))
      child.on('error', reject)
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`peerbench exited with ${code}`))))
    })
    const phases = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
    for (const p of phases) console.log(JSON.stringify({ peer: true, ...p }))
    const migrate = phases.find((p) => p['phase'] === 'migrate')
    if (!migrate) throw new Error(`peerbench printed no migrate phase: ${out}`)
    return {
      seconds: Number(migrate['seconds']),
      vmsPerSecond: Number(migrate['ops_per_sec']),
      extra: String(migrate['note'] ?? ''),
      simCpuSeconds: cpuSeconds(sim.pid) - simCpuAtMigrate,
    }
  } finally {
    await sim.stop()
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100
}
