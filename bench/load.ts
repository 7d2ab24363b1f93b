// Load: mixed create / rename / inspect / remove through portlayer's REST API at a fixed concurrency for a set
// time, against govcsim, with portlayer as its own process (`portlayer serve`, test/helpers/portlayer-process.ts)
// so its RSS is measured alone. Prints latency p50/p99 per operation and overall, counts and throughput, every
// error (any answer but the expected one, named), the RSS of portlayer and of the simulator sampled over time
// (sparkline, first/last/peak, slope), govcsim's SOAP calls per method, and a final check of portlayer's list and
// the simulator's VMs against what the bench knows it made. vSphere is read past portlayer (raw SOAP, the test
// helpers' reader) after a failed rename and at the end, so a cache that disagrees with vSphere shows.
//
//   npx tsx bench/load.ts [--minutes 30] [--concurrency 16] [--seed 1] [--live 50] [--sample-seconds 10] [--heap-cap MB]
//
// --heap-cap caps portlayer's V8 old space (--max-old-space-size): RSS that grows without the cap but stays put
// under it is V8 taking room it was allowed, not a leak; a leak under the cap ends in an out-of-memory crash.
//
// The working set is bounded: about --live containers exist at any time (below 80 % only creates, above 120 % only
// removes, in between creates and removes are equally likely), so a growing RSS is a leak, not a growing fleet.
// Names are never reused (a counter), so a map keyed by name that is never emptied shows as growth.
//
// Each operation leases the containers it touches, so no two of the bench's requests race on one container; the
// races left are the service's own (a rename of a container others link to rewrites those others while they may
// be inspected or renamed). Deliberate conflicts: a small share of creates and renames ask for the name of another
// live (leased) container; their 409 `name_conflict` is the expected answer and is not an error, any other answer
// is. A create on the `bridge` network may link to a live container (`name:alias`), so renames of linked-to
// containers (which rewrite the linking containers) are part of the mix and reported on their own row.
//
// --seed fixes the sequence of choices; the interleaving of concurrent requests is not reproducible. Ctrl-C ends
// the run early and prints the report for the time run.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { journalKey } from '../src/container/rename/journal.js'
import { leaseVmName } from '../src/container/writer/lease.js'
import { memoryTmpdir, startGovcsim, type Govcsim } from '../src/sim/launcher.js'
import { spawnPortlayer, type PortlayerProcess, type ProcessReply } from '../test/helpers/portlayer-process.js'
import { RawSoap } from '../test/helpers/raw-soap.js'
import { readVm } from '../test/helpers/sim-reads.js'
import { seededRandom } from '../test/helpers/seeded-random.js'
import { mb, ms, percentile, slope, sparkline, table } from './load-figures.js'

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '16' },
    seed: { type: 'string', default: '1' },
    live: { type: 'string', default: '50' },
    'sample-seconds': { type: 'string', default: '10' },
    'heap-cap': { type: 'string' },
  },
})
const minutes = Number(args.minutes)
const concurrency = Number(args.concurrency)
const seed = Number(args.seed)
const liveTarget = Number(args.live)
const sampleSeconds = Number(args['sample-seconds'])
const heapCapMB = args['heap-cap'] === undefined ? undefined : Number(args['heap-cap'])
if (heapCapMB !== undefined && !(heapCapMB > 0)) throw new Error('--heap-cap must be a positive number of megabytes')
const numbers = { minutes, concurrency, seed, live: liveTarget, 'sample-seconds': sampleSeconds }
for (const [flag, v] of Object.entries(numbers))
  if (!Number.isFinite(v) || v < 0 || (flag !== 'seed' && v === 0)) throw new Error(`--${flag} must be a positive number`)

/** Shares of the mix while the fleet is within its band; the conflict shares are deliberate 409s. */
const mix = { create: 14, remove: 14, rename: 30, inspect: 38, createConflict: 2, renameConflict: 2 } as const
/** Of the creates: this share joins `bridge` with an alias, and this share also links to a live container. */
const networkShare = 0.2
const linkShare = 0.2
/** After a failed rename the container is read again this much later: a failed rename must not take effect late. */
const settleMs = 3000
/** When the end state differs from the bench's record, it is read again after this long without requests. */
const quietMs = 10_000
/** Rows of the timeline, whatever the duration. */
const timelineRows = 20

type Kind =
  | 'create'
  | 'create linked'
  | 'rename'
  | 'rename linked-to'
  | 'inspect'
  | 'remove'
  | 'create conflict'
  | 'rename conflict'
const kinds: readonly Kind[] = [
  'create',
  'create linked',
  'rename',
  'rename linked-to',
  'inspect',
  'remove',
  'create conflict',
  'rename conflict',
]

/** What the bench knows of one container it made. */
interface Live {
  id: string
  name: string
  /** leased by a request in flight */
  busy: boolean
  /** the ID of the container this one links to, if any */
  linksTo?: string
  /** its last few operations and their answers, for the report of an error that concerns it */
  history: string[]
}

const historyLength = 8
/** examples kept per kind of error */
const examplesPerError = 3

interface Tally {
  latencies: number[]
  ok: number
  /** deliberate conflicts answered 409 name_conflict */
  expected409: number
  errors: number
}

interface Sample {
  /** seconds since the mixed phase began */
  t: number
  portlayer: number
  sim: number
}

interface Window {
  latencies: number[]
  errors: number
}

class Load {
  readonly live = new Map<string, Live>()
  readonly tallies = new Map<Kind, Tally>(kinds.map((k) => [k, { latencies: [], ok: 0, expected409: 0, errors: 0 }]))
  /** removed containers, kept so an error that names one can tell its story */
  readonly gone = new Map<string, Live>()
  /** error description → count and the first few examples */
  readonly errors = new Map<string, { count: number; examples: string[] }>()
  window: Window = { latencies: [], errors: 0 }
  creating = 0
  private seq = 0
  private readonly random = seededRandom(seed).next

  constructor(
    private readonly pl: PortlayerProcess,
    /** what vSphere holds for a container, read past portlayer */
    private readonly vsphere: (shortId: string) => Promise<VsphereFacts | undefined>,
  ) {}

  /** A name never used before in this run; `load-` keeps it from reading as an ID prefix. */
  nextName(kind: 'c' | 'r'): string {
    return `load-${kind}${(++this.seq).toString(36)}`
  }

  /** Fills the working set: creates only. */
  fill(): Promise<void> {
    return this.create()
  }

  /** One step of one worker: choose, lease, send, check, release. */
  async step(): Promise<void> {
    const size = this.live.size + this.creating
    if (size < liveTarget * 0.8) return this.create()
    if (this.live.size > liveTarget * 1.2) return this.remove()
    let r = this.random() * Object.values(mix).reduce((s, n) => s + n, 0)
    for (const [op, share] of Object.entries(mix) as Array<[keyof typeof mix, number]>) {
      r -= share
      if (r < 0) return this[op]()
    }
  }

  private idle(except?: Live): Live | undefined {
    const free = [...this.live.values()].filter((c) => !c.busy && c !== except)
    return free[Math.floor(this.random() * free.length)]
  }

  /** A reference the API accepts for the container: its name, full ID or short ID, chosen at random. */
  private ref(c: Live): string {
    const r = this.random()
    return r < 0.5 ? c.name : r < 0.75 ? c.id : c.id.slice(0, 12)
  }

  private async create(): Promise<void> {
    const name = this.nextName('c')
    const networked = this.random() < networkShare + linkShare
    const hub = this.random() < linkShare / (networkShare + linkShare) && networked ? this.idle() : undefined
    const body = {
      name,
      ...(networked ? { networks: { bridge: { aliases: [`${name}-alias`] } } } : {}),
      ...(hub ? { links: [`${hub.name}:peer`] } : {}),
    }
    if (hub) hub.busy = true
    this.creating++
    try {
      const reply = await this.send(hub ? 'create linked' : 'create', 'POST', '/v1/containers', body, 201)
      const id = reply && (reply.body as { id?: string }).id
      if (id) this.live.set(id, { id, name, busy: false, history: [], ...(hub ? { linksTo: hub.id } : {}) })
      if (id) this.note(this.live.get(id)!, `created "${name}"${hub ? ` linking to ${hub.id.slice(0, 12)}` : ''}`)
      if (hub) this.note(hub, `linked to by ${id?.slice(0, 12) ?? 'a failed create'}`)
    } finally {
      this.creating--
      if (hub) hub.busy = false
    }
  }

  private async createConflict(): Promise<void> {
    const holder = this.idle()
    if (!holder) return idleWait()
    holder.busy = true
    try {
      const reply = await this.send('create conflict', 'POST', '/v1/containers', { name: holder.name }, 409, [holder])
      // the service took a name another container holds: the bench keeps what it was told
      const id = reply?.status === 201 ? (reply.body as { id?: string }).id : undefined
      if (id) this.live.set(id, { id, name: holder.name, busy: false, history: [] })
    } finally {
      holder.busy = false
    }
  }

  private async rename(): Promise<void> {
    const c = this.idle()
    if (!c) return idleWait()
    const linkers = [...this.live.values()].filter((o) => o.linksTo === c.id)
    const name = this.nextName('r')
    const ref = this.ref(c)
    c.busy = true
    try {
      const kind = linkers.length > 0 ? 'rename linked-to' : 'rename'
      const reply = await this.send(kind, 'POST', `/v1/containers/${ref}/rename?name=${name}`, undefined, 204, [c, ...linkers])
      this.note(c, `rename ${ref} → "${name}": ${reply ? 'done' : 'failed'}`)
      for (const l of linkers) this.note(l, `its link target ${c.id.slice(0, 12)} renamed to "${name}": ${reply ? 'done' : 'failed'}`)
      if (reply) c.name = name
      else await this.settle(c, kind, name)
    } finally {
      c.busy = false
    }
  }

  private async renameConflict(): Promise<void> {
    const c = this.idle()
    const holder = c && this.idle(c)
    if (!c || !holder) return idleWait()
    c.busy = holder.busy = true
    try {
      const path = `/v1/containers/${this.ref(c)}/rename?name=${holder.name}`
      const reply = await this.send('rename conflict', 'POST', path, undefined, 409, [c, holder])
      if (reply?.status === 204) c.name = holder.name
    } finally {
      c.busy = holder.busy = false
    }
  }

  private async inspect(): Promise<void> {
    const c = this.idle()
    if (!c) return idleWait()
    const ref = this.ref(c)
    c.busy = true
    try {
      const reply = await this.send('inspect', 'GET', `/v1/containers/${ref}`, undefined, 200, [c])
      const got = reply && (reply.body as { id?: string; name?: string })
      if (got && (got.id !== c.id || got.name !== c.name))
        this.error(
          'inspect',
          'answer is not the container asked for, or a stale name',
          `asked ${c.id.slice(0, 12)} "${c.name}", got ${got.id?.slice(0, 12)} "${got.name}"`,
        )
      if (!reply) {
        const now = await this.pl.request('GET', `/v1/containers/${c.id}`).catch(() => undefined)
        const nowName = (now?.body as { name?: string } | undefined)?.name
        this.note(c, `inspect ${ref} failed; by ID now: ${now ? `${now.status} "${nowName}"` : 'no answer'}`)
      }
    } finally {
      c.busy = false
    }
  }

  private async remove(): Promise<void> {
    const c = this.idle()
    if (!c) return idleWait()
    c.busy = true
    try {
      const reply = await this.send('remove', 'DELETE', `/v1/containers/${this.ref(c)}`, undefined, 204, [c])
      this.note(c, `remove ${reply ? 'done' : 'failed'}`)
      for (const l of this.live.values()) {
        if (l.linksTo === c.id) this.note(l, `its link target ${c.id.slice(0, 12)} removed: ${reply ? 'done' : 'failed'}`)
      }
      if (reply) this.forget(c)
      else await this.resync(c)
    } finally {
      c.busy = false
    }
  }

  /**
   * Sends one request and tallies it. Resolves with the reply when the status is the expected one, undefined
   * otherwise (the error is recorded). A deliberate conflict (expect 409) also resolves with a 2xx reply, recorded as
   * an error, so the caller can follow what the service did.
   */
  private async send(
    kind: Kind,
    method: string,
    path: string,
    body: unknown,
    expect: number,
    about: Live[] = [],
  ): Promise<ProcessReply | undefined> {
    const tally = this.tallies.get(kind)!
    const started = performance.now()
    let reply: ProcessReply
    try {
      reply = await this.pl.request(method, path, body)
    } catch (err) {
      this.error(kind, `no HTTP answer: ${(err as Error).message}`, String((err as Error).cause ?? ''))
      return undefined
    }
    const elapsed = performance.now() - started
    tally.latencies.push(elapsed)
    this.window.latencies.push(elapsed)
    const code = (reply.body as { code?: string } | undefined)?.code
    if (reply.status === expect && (expect !== 409 || code === 'name_conflict')) {
      if (expect === 409) tally.expected409++
      else tally.ok++
      return reply
    }
    const tookConflict = expect === 409 && reply.status < 300
    const what = tookConflict
      ? `HTTP ${reply.status} where the deliberate conflict expected 409 name_conflict`
      : `HTTP ${reply.status} ${code ?? ''}`.trim()
    // the containers concerned, and any other the answer names (by ID, or by a name it has or had), with their stories
    const text = JSON.stringify(reply.body ?? '')
    const everyone = [...this.live.values(), ...this.gone.values()]
    const named = [
      ...[...text.matchAll(/\b[0-9a-f]{64}\b/g)].map((m) => this.live.get(m[0]) ?? this.gone.get(m[0])),
      ...[...text.matchAll(/\bload-[cr][0-9a-z]+\b/g)].map(([name]) =>
        everyone.find((c) => c.name === name || c.history.some((h) => h.includes(`"${name}"`))),
      ),
    ].filter((c, i, all): c is Live => c !== undefined && !about.includes(c) && all.indexOf(c) === i)
    const context = [...about, ...named].map((c) => `\n       ${c.id.slice(0, 12)} "${c.name}": ${c.history.join(' | ')}`).join('')
    this.error(kind, what, `${method} ${path} → ${JSON.stringify(reply.body ?? '').slice(0, 300)}${context}`)
    for (const c of about) this.note(c, `${method} ${path} answered ${reply.status} ${code ?? ''}`)
    return tookConflict ? reply : undefined
  }

  private note(c: Live, what: string): void {
    c.history.push(`${(performance.now() / 1000).toFixed(1)}s ${what}`)
    if (c.history.length > historyLength) c.history.shift()
  }

  private forget(c: Live): void {
    this.live.delete(c.id)
    this.gone.set(c.id, c)
  }

  error(kind: Kind, what: string, example: string): void {
    const key = `${kind}: ${what}`
    const e = this.errors.get(key) ?? { count: 0, examples: [] }
    this.errors.set(key, e)
    e.count++
    this.tallies.get(kind)!.errors++
    if (e.examples.length < examplesPerError) e.examples.push(`${(performance.now() / 1000).toFixed(1)}s ${example}`)
    this.window.errors++
  }

  /**
   * After a failed rename: the name now, and again a while later (the container stays leased), with what vSphere
   * holds. A failed rename that shows up afterwards is an error of its own: the client was told it did not happen.
   */
  private async settle(c: Live, kind: Kind, wanted: string): Promise<void> {
    await this.resync(c)
    if (!this.live.has(c.id)) return
    const before = c.name
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    await this.resync(c)
    const facts = await this.vsphere(c.id.slice(0, 12)).catch(() => undefined)
    this.note(c, `vSphere: ${showFacts(facts)}`)
    if (c.name !== before || facts?.displayName.startsWith(`${wanted}-`) || facts?.name === wanted)
      this.error(
        kind,
        'the rename failed, yet took effect afterwards',
        `${c.id.slice(0, 12)}: "${before}" just after the failure, "${c.name}" ${settleMs / 1000} s later; vSphere: ${showFacts(facts)}` +
          `\n       ${c.history.join(' | ')}`,
      )
  }

  /** After a failed rename or remove the bench no longer knows the container's name; it asks (untimed). */
  private async resync(c: Live): Promise<void> {
    const reply = await this.pl.request('GET', `/v1/containers/${c.id}`).catch(() => undefined)
    if (reply?.status === 200) c.name = (reply.body as { name: string }).name
    else if (reply?.status === 404) this.forget(c)
    this.note(c, `re-read by ID: ${reply ? `${reply.status} "${c.name}"` : 'no answer'}`)
  }
}

/** A container VM as vSphere holds it: display name, the name in ExtraConfig, a rename journal if one is open. */
interface VsphereFacts {
  displayName: string
  /** `common/name` */
  name: string | undefined
  journal: string | undefined
}

function showFacts(f: VsphereFacts | undefined): string {
  return f ? `display name "${f.displayName}", common/name "${f.name}"${f.journal ? `, journal ${f.journal}` : ''}` : 'no such VM'
}

/**
 * The facts of the VMs of these short IDs, in a session of the bench's own opened for the purpose (a session kept
 * for the whole run could expire while idle). Its calls are the only ones in the simulator's counts not portlayer's.
 */
async function vsphereFacts(sim: Govcsim, shortIds: readonly string[]): Promise<Map<string, VsphereFacts>> {
  const vms = await simulatorVms(sim)
  const soap = await RawSoap.connect(sim.url, sim.username, sim.password)
  try {
    const out = new Map<string, VsphereFacts>()
    for (const shortId of shortIds) {
      const vm = vms.find((v) => v.name.endsWith(`-${shortId}`))
      if (!vm) continue
      const facts = await readVm(soap, { type: 'VirtualMachine', value: vm.moref })
      out.set(shortId, { displayName: facts.name, name: facts.extraConfig.get('common/name'), journal: facts.extraConfig.get(journalKey) })
    }
    return out
  } finally {
    soap.close()
  }
}

/** Every container leased: wait a little (a macrotask, so the replies in flight can land) and choose again. */
function idleWait(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5))
}

/** Resident set size of a process, from /proc (Linux); NaN when it cannot be read (it has exited). */
function rss(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? Number.NaN : Number(kb) * 1024
  } catch {
    return Number.NaN
  }
}

/** The simulator's VMs, but the writer lease's own VM (portlayer makes it at start; it holds no container). */
async function simulatorVms(sim: Govcsim): Promise<Array<{ name: string; moref: string }>> {
  const inventory = (await (await fetch(new URL('/govcsim/inventory', sim.url))).json()) as {
    datacenters: Array<{ vms: Array<{ name: string; moref: string }> }>
  }
  return inventory.datacenters.flatMap((dc) => dc.vms).filter((vm) => vm.name !== leaseVmName)
}

function delta(before: Record<string, number>, after: Record<string, number>): Array<[string, number]> {
  return Object.entries(after)
    .map(([m, n]): [string, number] => [m, n - (before[m] ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
}

async function main(): Promise<void> {
  const tmpdir = memoryTmpdir()
  // a Go crash prints its reason first and thousands of goroutine lines after it: keep the reason
  const crash: string[] = []
  const onLog = (line: string): void => {
    if (crash.length > 0 ? crash.length < 30 : /^(panic|fatal error)/.test(line)) crash.push(line)
  }
  const sim = await startGovcsim({ strict: true, onLog, ...(tmpdir ? { tmpdir } : {}) })
  let pl: PortlayerProcess | undefined
  try {
    // the child inherits this environment (test/helpers/portlayer-process.ts), and with it the cap
    if (heapCapMB !== undefined) process.env['NODE_OPTIONS'] = `${process.env['NODE_OPTIONS'] ?? ''} --max-old-space-size=${heapCapMB}`.trim()
    pl = await spawnPortlayer(sim)
    const load = new Load(pl, async (shortId) => (await vsphereFacts(sim, [shortId])).get(shortId))
    console.log(
      `load: ${minutes} min, concurrency ${concurrency}, ~${liveTarget} live containers, seed ${seed}; ` +
        `portlayer pid ${pl.pid} (its own process${heapCapMB === undefined ? '' : `, old space capped at ${heapCapMB} MB`}), ` +
        `govcsim pid ${sim.pid} (strict${tmpdir ? `, datastores in ${tmpdir}` : ''})`,
    )

    // fill the working set first, so the timed phase starts at its steady size
    const fillStarted = performance.now()
    const rssBeforeFill = rss(pl.pid)
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (load.live.size + load.creating < liveTarget) await load.fill()
    }))
    const fillErrors = [...load.errors.values()].reduce((s, e) => s + e.count, 0)
    console.log(
      `fill: ${load.live.size} containers in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s, ${fillErrors} errors; ` +
        `portlayer RSS ${mb(rssBeforeFill)} MB before, ${mb(rss(pl.pid))} MB after`,
    )
    for (const t of load.tallies.values()) Object.assign(t, { latencies: [], ok: 0, expected409: 0, errors: 0 })
    load.errors.clear()
    load.window = { latencies: [], errors: 0 }

    const statsBefore = await sim.stats()
    const started = performance.now()
    let deadline = started + minutes * 60_000
    process.once('SIGINT', () => {
      console.log('\nSIGINT: ending the run, then the report (again to abort)')
      deadline = performance.now()
    })
    const elapsed = (): number => (performance.now() - started) / 1000

    const samples: Sample[] = [{ t: 0, portlayer: rss(pl.pid), sim: rss(sim.pid) }]
    const sampler = setInterval(() => samples.push({ t: elapsed(), portlayer: rss(pl!.pid), sim: rss(sim.pid) }), sampleSeconds * 1000)
    const rowSeconds = Math.max(sampleSeconds, Math.round((minutes * 60) / timelineRows))
    const timeline: string[][] = []
    let lastRow = 0
    const row = (): void => {
      const w = load.window
      const t = elapsed()
      timeline.push([
        `${(t / 60).toFixed(1)}`,
        `${(w.latencies.length / (t - lastRow)).toFixed(1)}`,
        ms(percentile(w.latencies, 50)),
        ms(percentile(w.latencies, 99)),
        `${w.errors}`,
        `${load.live.size}`,
        mb(rss(pl!.pid)),
        mb(rss(sim.pid)),
      ])
      lastRow = t
      load.window = { latencies: [], errors: 0 }
    }
    const timelineTimer = setInterval(row, rowSeconds * 1000)

    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await load.step()
    }))
    const seconds = elapsed()
    clearInterval(sampler)
    clearInterval(timelineTimer)
    if (load.window.latencies.length > 0) row()
    samples.push({ t: seconds, portlayer: rss(pl.pid), sim: rss(sim.pid) })
    // a simulator that died during the run must not take the report with it
    const statsAfter = await sim.stats().catch((err: unknown) => {
      const said = crash.length > 0 ? `how it crashed:\n${crash.join('\n')}` : `its last stderr lines:\n${sim.stderrTail()}`
      console.log(`govcsim does not answer (${String(err)}); ${said}`)
      return statsBefore
    })

    report(load, seconds, samples, timeline, rowSeconds, delta(statsBefore, statsAfter))
    console.log('\nend state, as the last request was answered')
    // a difference that is still there once the service has been left alone for a while is not a lag
    if ((await endState(load, pl, sim)) > 0) {
      await new Promise((resolve) => setTimeout(resolve, quietMs))
      console.log(`\nend state, ${quietMs / 1000} s later with no requests`)
      await endState(load, pl, sim)
    }
    const logged = new Map<string, number>()
    for (const line of pl.logs()) {
      if (Number(line['level']) < 40) continue
      const key = `${String(line['level'])} ${String(line['msg'])}`
      logged.set(key, (logged.get(key) ?? 0) + 1)
    }
    console.log(`  portlayer log lines at warn and above: ${[...logged.values()].reduce((s, n) => s + n, 0)}`)
    for (const [msg, n] of [...logged].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`    ${n}× ${msg.slice(0, 160)}`)
    const firstLines = pl.logs().filter((line) => Number(line['level']) >= 40).slice(0, 5)
    if (firstLines.length > 0) console.log('  the first of them:')
    for (const line of firstLines) console.log(`    ${JSON.stringify(line).slice(0, 1200)}`)
  } finally {
    await pl?.kill('SIGTERM')
    await sim.stop()
  }
}

/**
 * What portlayer lists and what the simulator holds, against what the bench made; prints the differences with the
 * story of the containers concerned and resolves with their number.
 */
async function endState(load: Load, pl: PortlayerProcess, sim: Govcsim): Promise<number> {
  const listed = await pl.request('GET', '/v1/containers?all=true')
  const list = Array.isArray(listed.body) ? (listed.body as Array<{ id: string; name: string; displayName: string }>) : []
  if (listed.status !== 200) console.log(`  the list failed: HTTP ${listed.status} ${JSON.stringify(listed.body)}`)
  const missing = [...load.live.values()].filter((c) => !list.some((l) => l.id === c.id))
  const extra = list.filter((l) => !load.live.has(l.id))
  const renamed = list.filter((l) => load.live.has(l.id) && load.live.get(l.id)!.name !== l.name)
  const vms = await simulatorVms(sim)
  const orphans = vms.filter((vm) => !list.some((l) => vm.name.endsWith(`-${l.id.slice(0, 12)}`)))
  // portlayer's cache against an independent read of vSphere: display name, common/name, no journal left
  const facts = await vsphereFacts(sim, list.map((l) => l.id.slice(0, 12)))
  const factsOf = (l: { id: string }): VsphereFacts | undefined => facts.get(l.id.slice(0, 12))
  const disagree = list.filter((l) => {
    const f = factsOf(l)
    return f !== undefined && (f.displayName !== l.displayName || f.name !== l.name)
  })
  const journals = list.filter((l) => factsOf(l)?.journal !== undefined)
  console.log(`  the bench's model: ${load.live.size} containers; portlayer lists ${list.length}; the simulator has ${vms.length} VMs`)
  console.log(
    `  listed but not made (or removed): ${extra.length}  made but not listed: ${missing.length}  listed under another name: ${renamed.length}  ` +
      `VMs of no listed container: ${orphans.length}`,
  )
  console.log(`  vSphere's display name or common/name differs from portlayer's: ${disagree.length}  rename journals left on VMs: ${journals.length}`)
  const story = (id: string): string => {
    const c = load.live.get(id) ?? load.gone.get(id)
    return c ? `\n      the bench's record: ${c.history.join(' | ')}` : ''
  }
  for (const l of [...disagree, ...journals].slice(0, 5))
    console.log(`    ${l.id.slice(0, 12)} portlayer "${l.name}" / "${l.displayName}"; vSphere: ${showFacts(factsOf(l))}${story(l.id)}`)
  for (const vm of orphans.slice(0, 5)) console.log(`    VM ${vm.moref} "${vm.name}" (orphan)`)
  for (const l of [...extra, ...renamed].slice(0, 5)) console.log(`    ${l.id.slice(0, 12)} listed as "${l.name}"; vSphere: ${showFacts(factsOf(l))}${story(l.id)}`)
  for (const c of missing.slice(0, 5)) console.log(`    ${c.id.slice(0, 12)} "${c.name}" (missing)${story(c.id)}`)
  return missing.length + extra.length + renamed.length + orphans.length + disagree.length + journals.length
}

function report(load: Load, seconds: number, samples: Sample[], timeline: string[][], rowSeconds: number, calls: Array<[string, number]>): void {
  const all = [...load.tallies.values()]
  const allLatencies = all.flatMap((t) => t.latencies)
  const done = allLatencies.length
  const sum = (f: (t: Tally) => number): number => all.reduce((s, t) => s + f(t), 0)
  console.log(`\noperations: ${done} answered in ${(seconds / 60).toFixed(1)} min, ${(done / seconds).toFixed(1)}/s`)
  console.log(
    table(
      ['operation', 'count', 'per s', 'p50 ms', 'p99 ms', 'max ms', 'ok', '409 expected', 'errors'],
      [...load.tallies].map(([kind, t]) => [
        kind,
        `${t.latencies.length}`,
        (t.latencies.length / seconds).toFixed(2),
        ms(percentile(t.latencies, 50)),
        ms(percentile(t.latencies, 99)),
        ms(t.latencies.reduce((m, v) => Math.max(m, v), 0)),
        `${t.ok}`,
        `${t.expected409}`,
        `${t.errors}`,
      ]).concat([[
        'all',
        `${done}`,
        (done / seconds).toFixed(2),
        ms(percentile(allLatencies, 50)),
        ms(percentile(allLatencies, 99)),
        ms(allLatencies.reduce((m, v) => Math.max(m, v), 0)),
        `${sum((t) => t.ok)}`,
        `${sum((t) => t.expected409)}`,
        `${sum((t) => t.errors)}`,
      ]]),
    ),
  )

  const errorCount = [...load.errors.values()].reduce((s, e) => s + e.count, 0)
  console.log(`\nerrors: ${errorCount} (goal 0; a deliberate conflict's 409 name_conflict is not one)`)
  for (const [what, e] of [...load.errors].sort((a, b) => b[1].count - a[1].count))
    console.log(`  ${e.count}× ${what}${e.examples.map((x) => `\n     e.g. ${x}`).join('')}`)

  console.log(`\ntimeline (a row per ${rowSeconds} s; rate, latency and errors within the row's window)`)
  console.log(table(['min', 'ops/s', 'p50 ms', 'p99 ms', 'errors', 'live', 'portlayer MB', 'govcsim MB'], timeline))

  console.log(`\nRSS, sampled every ${sampleSeconds} s (${samples.length} samples)`)
  for (const [who, pick] of [['portlayer', (s: Sample) => s.portlayer], ['govcsim', (s: Sample) => s.sim]] as const) {
    const points = samples.filter((s) => !Number.isNaN(pick(s))).map((s) => ({ x: s.t / 60, y: pick(s) / 2 ** 20 }))
    if (points.length === 0) continue
    const ys = points.map((p) => p.y)
    const peak = Math.max(...ys)
    const half = points.filter((p) => p.x >= points.at(-1)!.x / 2)
    console.log(
      `  ${who.padEnd(9)} first ${ys[0]!.toFixed(1)} MB, last ${ys.at(-1)!.toFixed(1)} MB, peak ${peak.toFixed(1)} MB; ` +
        `slope ${slope(points).toFixed(2)} MB/min over the run, ${slope(half).toFixed(2)} MB/min over its second half`,
    )
    console.log(`  ${''.padEnd(9)} ${sparkline(ys, 0, peak)}  (0 – ${peak.toFixed(0)} MB)`)
  }

  const total = calls.reduce((s, [, n]) => s + n, 0)
  console.log(`\ngovcsim SOAP calls over the timed phase: ${total} (${(total / Math.max(1, done)).toFixed(2)} per operation)`)
  console.log(table(['method', 'calls', 'per operation'], calls.map(([m, n]) => [m, `${n}`, (n / Math.max(1, done)).toFixed(3)])))
}

await main()
