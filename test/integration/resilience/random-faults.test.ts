// Random network faults (seeded, so a failing run can be replayed with its seed) under 500 creates and 500 renames
// through the REST API, with a migration job running beside the renames of one round. Whatever breaks, every
// request gets a definite answer; a create answered 503 is sent again with its ID and finds the VM its first try
// made instead of making a second; and once the network is sound again the simulator, read on its own, holds no
// orphan VM, no second VM for an ID, no half rename and no link to a missing name, every 204 stands, and the
// migration's report says what vSphere holds.
//
// The work runs in five rounds of 100 creates and 100 renames, each round's containers removed before the next:
// govcsim's WaitForUpdatesEx recomputes every watched VM once for each change it reports, so with 600 VMs in the
// folder one answer carrying 100 new VMs took 20 s, and under the renames the update loop fell minutes behind: the
// test would measure the simulator instead of portlayer.
import { createHash } from 'node:crypto'
import pLimit from 'p-limit'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import type { JobScope } from '../../../src/migration/job-scope.js'
import { runMigrationJob } from '../../../src/migration/job.js'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import type { PluginRegistry } from '../../../src/migration/registry.js'
import type { JobReport } from '../../../src/migration/report.js'
import type { VimClient } from '../../../src/vim/index.js'
import { nameViolations, readContainers } from '../../helpers/container-invariants.js'
import { containersApi, type ApiReply } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { createFleet, type FleetVm } from '../migration/fleet.js'
import { rename } from '../rename/support.js'
import { expectConsistent, expectDefinite, migrationJobThrough, simLinks, useProxiedPortlayer } from './support.js'

const seed = Number(process.env['RESILIENCE_SEED'] ?? 20261122)
const p = useProxiedPortlayer({ proxy: { stallMs: 300, slowMs: 100 } })
const api = containersApi(() => p().pl)
const limit = pLimit(8)
const rounds = 5
const perRound = 100
/** every head is named in the links of ten of a round's members, and renamed once a round */
const heads = Array.from({ length: 10 }, (_, i) => `head${i}`)
/** a create answered 503 is sent again (same ID) this many times under faults, then once more on a sound network */
const createTries = 5
/** the round whose renames run beside the migration job, and how many containers VIC left for it */
const migrationRound = 2
const legacyCount = 50
const log = pino({ level: 'silent' })
const statuses: Record<string, number> = {}
/** creates sent again after a 503, and of those, the ones refused because an earlier try had made the VM */
const resent = { creates: 0, foundById: 0 }
let client: VimClient
let registry: PluginRegistry
let scope: JobScope

/**
 * Each request of portlayer or of the migration job is broken with this chance, the update loop's waits too: a
 * wait answered into a reset is sent again from the version the loop holds, and gets the lost answer again.
 */
const faults = (draw: number) => ({ probability: 0.1, seed: seed + draw })

/** Head `k` among listed containers, whatever name the rounds gave it (`head<k>` or `head<k>-<round>`). */
function headOf(k: number, listed: readonly ContainerView[]): ContainerView {
  const found = listed.find((c) => c.name === `head${k}` || c.name.startsWith(`head${k}-`))
  if (!found) throw new Error(`head ${k} is not listed`)
  return found
}

function tally(res: ApiReply<unknown>): void {
  const code = (res.body as { code?: string } | undefined)?.code
  const key = code ? `${res.status} ${code}` : String(res.status)
  statuses[key] = (statuses[key] ?? 0) + 1
}

/** Once the network is sound: the API lists what the simulator holds, and names and links are whole. */
async function settled(): Promise<ContainerView[]> {
  p().proxy.clear()
  const folder = { type: 'Folder', value: p().sim.inventory.datacenters[0]!.vmFolder }
  return eventually(
    async () => {
      const listed = await api.list(true)
      expect(listed.status).toBe(200)
      await expectConsistent(p(), listed.body)
      expect(nameViolations(await readContainers(p().soap, folder), { settled: true }), `seed ${seed}`).toEqual([])
      return listed.body
    },
    // a journal removal that lost a race is sent again once the store hears of it (its loop waits up to 10 s)
    { timeoutMs: 45_000, intervalMs: 250 },
  )
}

/** Every result of the report agrees with the VM as the simulator holds it. */
async function expectReportTrue(report: JobReport, fleet: readonly FleetVm[]): Promise<void> {
  for (const result of report.vms) {
    const vm = fleet.find((f) => f.moref.value === result.vm)
    if (!vm) continue
    const config = new Map(await p().soap.extraConfig(vm.moref))
    if (result.outcome === 'migrated' || result.outcome === 'current')
      expect(config.has(migrationRecordKey), `seed ${seed}: ${result.vm} reported ${result.outcome} without a record`).toBe(true)
    for (const diff of result.outcome === 'migrated' ? result.diff : [])
      expect(config.get(diff.key), `seed ${seed}: ${result.vm} ${diff.key}`).toBe(diff.to)
  }
}

/** The job is run until a run gets through: it stops at the first VM vSphere did not answer for, saying so. */
async function migrateUntilReported(): Promise<JobReport> {
  let stopped = 0
  for (let run = 1; run <= 40; run++) {
    try {
      return await runMigrationJob(client, { registry, scope, concurrency: 4, log })
    } catch (err) {
      expect((err as Error).message, `seed ${seed}`).toContain('run the job again')
      stopped++
    }
  }
  throw new Error(`seed ${seed}: no run of the migration got through the faults: ${stopped} stopped`)
}

beforeAll(async () => {
  for (const name of heads) await api.created({ name })
  ;({ client, registry, scope } = await migrationJobThrough(p().proxy.url, p().sim))
})

afterAll(async () => {
  await client?.close()
})

describe.each(Array.from({ length: rounds }, (_, round) => round))(`random faults (seed ${seed}), round %i`, (round) => {
  const members = Array.from({ length: perRound }, (_, i) => ({
    // IDs from the seed too, so a replay makes the same containers
    id: createHash('sha256').update(`${seed}/${round}/${i}`).digest('hex'),
    name: `member${round}-${i}`,
    head: i % heads.length,
  }))

  it('100 creates get definite answers, and a create sent again after a 503 finds its VM by ID', { timeout: 120_000 }, async () => {
    const listed = (await api.list(true)).body
    p().proxy.random(faults(2 * round))
    const outcomes = await Promise.all(
      members.map((m) =>
        limit(async () => {
          const body = { id: m.id, name: m.name, links: [`${headOf(m.head, listed).name}:head`] }
          let res: ApiReply<unknown> = await api.create(body)
          for (let tries = 1; ; tries++) {
            expectDefinite(res, `seed ${seed}: create ${m.name} (try ${tries})`)
            tally(res)
            if (res.status !== 503 || tries >= createTries) return { member: m, body, tries, res }
            res = await api.create(body)
          }
        }),
      ),
    )
    const broken = p().proxy.faultCount
    p().proxy.clear()
    expect(broken, 'the proxy broke nothing: the test proved nothing').toBeGreaterThan(0)
    for (const outcome of outcomes) {
      const { member, body, tries } = outcome
      const res = outcome.res.status === 503 ? await api.create(body) : outcome.res
      if (res !== outcome.res) tally(res)
      const what = `seed ${seed}: create ${member.name} answered ${res.status} ${JSON.stringify(res.body)} after ${tries} tries`
      // the first try made it or said 503; a try after a 503 makes it, or is refused because an earlier try did
      if (tries === 1 && outcome.res.status !== 503) expect(res.status, what).toBe(201)
      else expect([201, 409], what).toContain(res.status)
      if (res.status === 409) expect(['conflict', 'name_conflict'], what).toContain((res.body as { code?: string }).code)
      if (tries > 1 || outcome.res.status === 503) resent.creates++
      if (res.status === 409) resent.foundById++
    }
    const now = await settled()
    for (const m of members) expect(now.filter((c) => c.id === m.id).map((c) => c.name), `seed ${seed}`).toEqual([m.name])
  })

  const beside = round === migrationRound ? ', beside a migration' : ''
  it(`100 renames get definite answers and leave no half rename${beside}`, { timeout: 120_000 }, async () => {
    const fleet =
      round === migrationRound
        ? await createFleet(p().soap, p().sim.inventory.datacenters[0]!, { count: legacyCount, kind: () => 'legacy-v0', prefix: 'vic' })
        : []
    const before = (await api.list(true)).body
    // every tenth rename is of a head (it re-points the links of ten members); each container is renamed once
    const renames = Array.from({ length: perRound }, (_, i) => {
      const head = i % 10 === 0 ? i / 10 : undefined
      const target = head === undefined ? before.find((c) => c.id === members[i]!.id)! : headOf(head, before)
      return { id: target.id, from: target.name, to: head === undefined ? `renamed${round}-${i}` : `head${head}-${round}` }
    })
    p().proxy.random(faults(2 * round + 1))
    const renamed = Promise.all(
      renames.map((r) =>
        limit(async () => {
          const res = await rename(p().pl, r.id, r.to)
          expectDefinite(res, `seed ${seed}: rename ${r.from} to ${r.to}`)
          tally(res)
          return res
        }),
      ),
    )
    const [replies, report] = await Promise.all([renamed, fleet.length > 0 ? migrateUntilReported() : undefined])
    const broken = p().proxy.faultCount
    p().proxy.clear()
    expect(broken).toBeGreaterThan(0)
    expect(replies.filter((r) => r.status === 204).length, 'no rename succeeded').toBeGreaterThan(0)
    if (report) {
      await expectReportTrue(report, fleet)
      // on a sound network a last run finds every legacy container migrated once, or migrates the rest
      const last = await runMigrationJob(client, { registry, scope, log })
      await expectReportTrue(last, fleet)
      expect(last.totals.failed).toBe(0)
      for (const vm of fleet)
        expect(new Map(await p().soap.extraConfig(vm.moref)).has(migrationRecordKey), `seed ${seed}: ${vm.displayName}`).toBe(true)
    }

    const now = new Map((await settled()).map((c) => [c.id, c.name]))
    for (const [i, r] of renames.entries()) {
      const res = replies[i]!
      const what = `seed ${seed}: rename ${r.from} to ${r.to} answered ${res.status} ${JSON.stringify(res.body)}`
      // 204: done; 503: vSphere could not be asked to the end, either name may stand; any other answer: not done
      if (res.status === 204) expect(now.get(r.id), what).toBe(r.to)
      else if (res.status === 503) expect([r.from, r.to], what).toContain(now.get(r.id))
      else expect(now.get(r.id), what).toBe(r.from)
    }
    // links of this round's members follow their heads, whatever names the heads ended with
    const inSim = await expectConsistent(p(), (await api.list(true)).body)
    const names = new Set(inSim.map((c) => c.containerName))
    const links = inSim.filter((c) => members.some((m) => m.id === c.id)).flatMap(simLinks)
    expect(links.length, `seed ${seed}`).toBe(perRound)
    for (const link of links) expect(names.has(link.split(':')[0] ?? ''), `seed ${seed}: ${link}`).toBe(true)

    // the round's containers go, on a sound network, so the folder stays the size of one round
    for (const m of members) expect((await api.remove(m.id, true)).status, `seed ${seed}: remove ${m.name}`).toBe(204)
    await settled()
    if (round === rounds - 1) console.info(JSON.stringify({ seed, statuses, resent, proxy: p().proxy.counts }))
  })
})
