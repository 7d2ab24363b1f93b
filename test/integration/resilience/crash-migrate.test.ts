// kill -9 of `portlayer migrate` at random points, 20 times on one simulator: a small fleet as VIC left it (legacy
// containers without `common/name`, linked to each other, some running, beside current ones) is put back to its
// VIC layout before each run, the job (the real executable) is killed on a seeded draw of the SOAP call it dies on
// (kill-switch.ts) and of whether that call reached vSphere, and then run again. Read on its own from the
// simulator, each VM is migrated whole or not at all at the kill; after the next run every container has its
// name in `common/name` matching its display name, names are unique, no link names a missing container, and the
// report of the run says what vSphere holds.
import { createHash } from 'node:crypto'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { containerKeys } from '../../../src/extraconfig/index.js'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { nameViolations, readContainers, type NamedContainer } from '../../helpers/container-invariants.js'
import { FaultProxy } from '../../helpers/fault-proxy.js'
import { startSim } from '../../helpers/govcsim.js'
import { armKill } from '../../helpers/kill-switch.js'
import { RawSoap, type MoRef } from '../../helpers/raw-soap.js'
import { seededRandom } from '../../helpers/seeded-random.js'
import { fixture } from '../../helpers/vic-fixtures.js'
import { migrateJson, sdkUrl } from '../migration/cli.js'

const seed = Number(process.env['RESILIENCE_SEED'] ?? 20261122)
const runs = 20
const repo = fileURLToPath(new URL('../../../', import.meta.url))

interface FleetMember {
  readonly name: string
  readonly fixture: string
  /** link targets of the fixture renamed to members of this fleet */
  readonly links?: Readonly<Record<string, string>>
  readonly running?: boolean
}

// legacy v0 (no version), legacy v1 (linked to a current container), current v10 (linked to a legacy one), current v4
const fleet: readonly FleetMember[] = [
  ...[0, 1, 2, 3].map((i) => ({ name: `old${i}`, fixture: 'legacy-no-version', running: i < 2 })),
  ...[0, 1, 2, 3].map((i) => ({ name: `mid${i}`, fixture: 'legacy-v1-bridge', links: { web: `web${i % 2}` }, running: i === 3 })),
  ...[0, 1].map((i) => ({ name: `web${i}`, fixture: 'current-web-bridge', links: { db: `old${i}` } })),
  ...[0, 1].map((i) => ({ name: `plain${i}`, fixture: 'current-no-networks' })),
]
const legacy = fleet.filter((m) => m.fixture.startsWith('legacy')).map((m) => m.name)

let sim: Govcsim
let soap: RawSoap
let proxy: FaultProxy
let folder: MoRef
/** each VM's ExtraConfig as VIC left it, by container name */
const original = new Map<string, ReadonlyMap<string, string>>()
const vms = new Map<string, MoRef>()

/** The fixture's container under a name, ID and links of this fleet. */
function vicConfig(member: FleetMember, id: string): Map<string, string> {
  const source = fixture(member.fixture)
  const out = new Map<string, string>()
  for (const [key, value] of source.config) {
    let v = value.split(source.expect.id).join(id)
    if (value === source.expect.name) v = member.name
    if (value === source.expect.hostname) v = id.slice(0, 12)
    if (key.endsWith('/network/aliases~'))
      v = value
        .split('|')
        .map((entry) => {
          const [who = '', alias = ''] = entry.split(':')
          return `${member.links?.[who] ?? who}:${alias}`
        })
        .join('|')
    out.set(key.split(source.expect.id).join(id), v)
  }
  return out
}

async function makeFleet(): Promise<void> {
  const dc = sim.inventory.datacenters[0]!
  const ds = dc.datastores[0]?.name ?? 'LocalDS_0'
  const pool: MoRef = { type: 'ResourcePool', value: dc.resourcePools[0]?.moref ?? '' }
  for (const member of fleet) {
    const id = createHash('sha256').update(`crash-migrate/${member.name}`).digest('hex')
    const config = vicConfig(member, id)
    const made = await soap.task(
      soap.createVM(folder, pool, {
        name: `${member.name}-${id.slice(0, 12)}`,
        guestId: 'otherGuest',
        vmPathName: `[${ds}] ${id}/${id}.vmx`,
        extraConfig: [...config],
      }),
    )
    expect(made.state, `creating ${member.name}: ${made.fault}`).toBe('success')
    if (member.running) expect((await soap.task(soap.powerOn(made.result!))).state).toBe('success')
    vms.set(member.name, made.result!)
    original.set(member.name, new Map(await soap.extraConfig(made.result!)))
  }
}

/** Puts every legacy container back as VIC left it: the job's two keys removed (an empty value removes a key). */
async function resetFleet(): Promise<void> {
  for (const name of legacy) {
    const reply = await soap.task(
      soap.reconfigure(vms.get(name)!, {
        extraConfig: [
          [containerKeys.name, ''],
          [migrationRecordKey, ''],
        ],
      }),
    )
    expect(reply.state, `resetting ${name}: ${reply.fault}`).toBe('success')
    expect(new Map(await soap.extraConfig(vms.get(name)!))).toEqual(original.get(name))
  }
}

interface StandbyJob {
  readonly pid: number
  go(): void
  readonly exited: Promise<number | null>
  output(): string
}

/**
 * `portlayer migrate` (the real executable, through test/helpers/standby-cli.ts) loaded and waiting: `go` starts
 * it, so the load is not counted among the calls and overlaps the previous run.
 */
async function standbyMigrate(): Promise<StandbyJob> {
  const args = ['migrate', '--log-level', 'warn', '--url', sdkUrl(sim, Number(new URL(proxy.url).port)), '--concurrency', '2']
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/standby-cli.ts', ...args], {
    cwd: repo,
    // the flags alone say where and what
    env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTLAYER_'))),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    const seen = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      if (output.includes('"standby"')) resolve()
    }
    child.stdout.on('data', seen)
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    void exited.then(() => reject(new Error(`portlayer migrate exited on standby: ${output}`)))
  })
  return { pid: child.pid ?? 0, go: () => child.stdin.end('go\n'), exited, output: () => output }
}

/** What a kill left: per legacy container, whether it carries the job's record. */
function recorded(now: readonly NamedContainer[]): string[] {
  return now.filter((c) => legacy.includes(c.name) && c.extraConfig.has(migrationRecordKey)).map((c) => c.name)
}

let next: Promise<StandbyJob> | undefined
/** calls of a whole run, counted on an uninterrupted one */
let callsOfRun = 0

beforeAll(async () => {
  sim = await startSim()
  soap = await RawSoap.connect(sim.url, sim.username, sim.password)
  proxy = await FaultProxy.start(sim.url)
  folder = { type: 'Folder', value: sim.inventory.datacenters[0]!.vmFolder }
  await makeFleet()
  next = standbyMigrate()
  // one run to its end, counting its calls: the kill points are drawn among them
  const job = await next
  next = standbyMigrate()
  const counter = armKill(proxy, job.pid, { at: Number.MAX_SAFE_INTEGER, deliver: true })
  job.go()
  const code = await job.exited
  counter.disarm()
  expect(code, job.output()).toBe(0)
  callsOfRun = counter.calls.length
  expect(recorded(await readContainers(soap, folder)).sort()).toEqual([...legacy].sort())
})

afterAll(async () => {
  proxy?.clear()
  const waiting = await next?.catch(() => undefined)
  if (waiting) process.kill(waiting.pid, 'SIGKILL')
  await proxy?.stop()
  soap?.close()
  await sim?.stop()
})

type Moment = 'before' | 'inside' | 'after'

describe(`kill -9 at random points of portlayer migrate (seed ${seed})`, () => {
  const title = '20 kills: each VM migrated whole or not at all, and the next run finishes with names and links whole'
  it(title, { timeout: 180_000 }, async () => {
    const rnd = seededRandom(seed)
    // every call of a run is drawn before any is drawn twice
    const killPoint = rnd.bag(callsOfRun)
    const moments: Record<Moment, number> = { before: 0, inside: 0, after: 0 }
    for (let run = 0; run < runs; run++) {
      await resetFleet()
      const at = killPoint()
      const deliver = rnd.chance(0.5)
      const story = `seed ${seed}, run ${run}: kill on call ${at} of ${callsOfRun} (${deliver ? 'delivered' : 'dropped'})`

      const job = await next!
      next = standbyMigrate()
      const kill = armKill(proxy, job.pid, { at, deliver })
      job.go()
      const code = await job.exited
      kill.disarm()
      expect(kill.hasFired, `${story}: the job ended (code ${code}) before the kill`).toBe(true)

      // at the kill: every legacy VM is migrated whole (name and record together, in one reconfigure) or untouched
      const atKill = await readContainers(soap, folder)
      for (const c of atKill) {
        const migrated = c.extraConfig.has(migrationRecordKey)
        expect(c.legacyName, `${story}: ${c.name} has common/name without the record, or the reverse`).toBe(
          legacy.includes(c.name) && !migrated,
        )
      }
      expect(nameViolations(atKill, { settled: true }), story).toEqual([])
      const done = recorded(atKill)
      moments[done.length === 0 ? 'before' : done.length === legacy.length ? 'after' : 'inside']++

      // the next run finishes the job; its report says what vSphere holds
      const resumed = await migrateJson(['--url', sdkUrl(sim)])
      expect(resumed.code, `${story}: ${resumed.err}`).toBe(0)
      expect(resumed.report.totals, story).toMatchObject({ migrated: legacy.length - done.length, failed: 0 })
      const now = await readContainers(soap, folder)
      for (const result of resumed.report.vms) {
        const vm = now.find((c) => c.moref === result.vm)
        expect(vm, `${story}: ${result.vm} is in the report but not in vSphere`).toBeDefined()
        if (result.outcome === 'migrated')
          for (const diff of result.diff) expect(vm?.extraConfig.get(diff.key), `${story}: ${vm?.name} ${diff.key}`).toBe(diff.to)
      }
      expect(now.filter((c) => c.legacyName).map((c) => c.name), `${story}: left without common/name`).toEqual([])
      expect(nameViolations(now, { settled: true }), story).toEqual([])
      for (const name of legacy) expect(now.find((c) => c.name === name)?.extraConfig.get(migrationRecordKey), story).toBeDefined()
    }
    console.info(JSON.stringify({ seed, callsOfRun, moments }))
    expect(moments.before, 'no kill landed before the job wrote anything').toBeGreaterThan(0)
    expect(moments.inside, 'no kill landed while the job was writing').toBeGreaterThan(0)

    // once finished, the job finds nothing left to write
    const again = await migrateJson(['--url', sdkUrl(sim)])
    expect(again.report.totals).toMatchObject({ migrated: 0, failed: 0, writes: 0 })
  })
})
