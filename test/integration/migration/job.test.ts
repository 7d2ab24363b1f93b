// The migration job on 300 container VMs as VIC left them (a third legacy v0, a third legacy v1, a third current,
// some running), run through `portlayer migrate` and checked by reading every VM back with raw SOAP.
import pino from 'pino'
import { beforeAll, describe, expect, it } from 'vitest'
import { discoverPlugins } from '../../../src/migration/discover.js'
import { resolveScope } from '../../../src/migration/job-scope.js'
import { runMigrationJob } from '../../../src/migration/job.js'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import type { JobReport } from '../../../src/migration/report.js'
import { connect } from '../../../src/vim/index.js'
import { useSim } from '../../helpers/govcsim.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { migrate, migrateJson, sdkUrl } from './cli.js'
import { changedKeys, createFleet, isLegacy, readFleet, thirds, type FleetVm } from './fleet.js'

const sim = useSim()
const soap = useRawSoap(sim)

let fleet: FleetVm[]
let before: Map<string, Map<string, string>>

beforeAll(async () => {
  const dc = sim().inventory.datacenters[0]!
  fleet = await createFleet(soap(), dc, { count: 300, kind: thirds, running: (i) => i % 5 === 0 })
  before = await readFleet(soap(), fleet)
})

const url = () => sdkUrl(sim())

async function reconfigs<T>(run: () => Promise<T>): Promise<{ result: T; reconfigs: number; retrieves: number }> {
  await sim().resetStats()
  const result = await run()
  const stats = await sim().stats()
  return {
    result,
    reconfigs: stats['ReconfigVM_Task'] ?? 0,
    retrieves: (stats['RetrievePropertiesEx'] ?? 0) + (stats['ContinueRetrievePropertiesEx'] ?? 0),
  }
}

describe('portlayer migrate on 300 VIC container VMs', () => {
  it('has the fleet it is meant to have: 200 legacy, 100 current, 60 running', () => {
    expect(fleet.filter((vm) => isLegacy(vm.kind))).toHaveLength(200)
    expect(fleet.filter((vm) => vm.running)).toHaveLength(60)
    expect(fleet.filter((vm) => vm.running && isLegacy(vm.kind)).length).toBeGreaterThan(30)
  })

  it('--dry-run prints the diff of every legacy VM and writes nothing', async () => {
    const { result: run, reconfigs: writes } = await reconfigs(() => migrate(['--url', url(), '--dry-run']))

    expect(run.code).toBe(0)
    expect(writes).toBe(0)
    for (const vm of fleet.filter((v) => isLegacy(v.kind))) {
      expect(run.out).toContain(`${vm.moref.value} ${vm.displayName} (container, data version ${vm.kind === 'legacy-v0' ? 0 : 1}): would write 2 keys`)
    }
    expect(run.out).toContain(`+ common/name = "${fleet[0]!.name}"`)
    expect(run.out).toContain(`+ ${migrationRecordKey} = "9"`)
    expect(run.out).toContain('in memory only (guest-visible): guestinfo.vice..createtime')
    expect(run.out).toMatch(/300 VMs examined .*200 to write.*dry run: nothing was written/)
    const after = await readFleet(soap(), fleet)
    for (const vm of fleet) expect(changedKeys(before.get(vm.moref.value)!, after.get(vm.moref.value)!)).toEqual([])
  })

  it('reads the VMs in pages of any size, one round trip a page, with the same report', async () => {
    const client = await connect({ url: sim().url, username: sim().username, password: sim().password, keepAliveMs: 0 })
    try {
      const registry = await discoverPlugins()
      const scope = await resolveScope(client, {})
      const run = (pageSize: number) =>
        reconfigs(() => runMigrationJob(client, { registry, scope, dryRun: true, pageSize, log: pino({ level: 'silent' }) }))
      const small = await run(64)
      const whole = await run(500)

      // five pages of VM properties and one read of the view's members
      expect(small.result.listing.pages).toBe(5)
      expect(small.retrieves).toBe(6)
      expect(whole.result.listing.pages).toBe(1)
      expect(small.result.totals).toMatchObject({ examined: 300, wouldMigrate: 200, failed: 0 })
      expect(small.result.totals).toEqual(whole.result.totals)
      const byVm = (report: JobReport) => [...report.vms].sort((a, b) => a.vm.localeCompare(b.vm))
      expect(byVm(small.result)).toEqual(byVm(whole.result))
      expect(small.reconfigs + whole.reconfigs).toBe(0)
    } finally {
      await client.close()
    }
  })

  let report: JobReport
  it('writes the hidden keys of every legacy VM, running or not, in one reconfigure each', async () => {
    const { result: run, reconfigs: writes, retrieves } = await reconfigs(() => migrateJson(['--url', url()]))
    report = run.report

    expect(run.code).toBe(0)
    expect(writes).toBe(200)
    // one page of VM properties and one read of the view's members; the rest reads the 200 tasks' outcome
    expect(retrieves - 200).toBeLessThanOrEqual(3)
    expect(report.listing.pages).toBe(1)
    expect(report.totals).toMatchObject({
      examined: 300,
      containers: 300,
      migrated: 200,
      inMemory: 50,
      current: 50,
      failed: 0,
      writes: 200,
    })
  })

  it('changes no guest-visible key of any VM, and adds only the name and the record to legacy ones', async () => {
    const after = await readFleet(soap(), fleet)
    for (const vm of fleet) {
      const changes = changedKeys(before.get(vm.moref.value)!, after.get(vm.moref.value)!)
      expect(changes.filter(([key]) => key.startsWith('guestinfo.'))).toEqual([])
      if (isLegacy(vm.kind)) {
        expect(changes).toEqual([
          ['common/name', undefined, vm.name],
          [migrationRecordKey, undefined, '9'],
        ])
      } else {
        expect(changes).toEqual([])
      }
    }
  })

  it('reports the changes that stay in memory because the guest would see them', () => {
    const legacy = report.vms.filter((vm) => vm.outcome === 'migrated')
    expect(legacy).toHaveLength(200)
    for (const vm of legacy) expect(vm.inMemoryOnly).toEqual(['guestinfo.vice..createtime'])
    const v4 = report.vms.filter((vm) => vm.fromVersion === 4)
    expect(v4.map((vm) => vm.outcome)).toEqual(Array(50).fill('in-memory'))
  })

  it('writes nothing on a second run, nor on a dry run after it', async () => {
    const second = await reconfigs(() => migrateJson(['--url', url()]))
    expect(second.result.code).toBe(0)
    expect(second.reconfigs).toBe(0)
    expect(second.result.report.totals).toMatchObject({ migrated: 0, current: 250, inMemory: 50, failed: 0 })

    const dry = await reconfigs(() => migrate(['--url', url(), '--dry-run']))
    expect(dry.result.code).toBe(0)
    expect(dry.reconfigs).toBe(0)
    expect(dry.result.out).not.toContain('would write')
  })

  it('shows plain progress lines when stderr is not a terminal', async () => {
    const run = await migrate(['--url', url(), '--dry-run', '--concurrency', '4'])
    expect(run.err.split('\n')).toContain('migrate: 300 VMs to examine')
    expect(run.err).toContain('migrate: 300/300 VMs examined, 0 to write, 0 failed')
  })
})
