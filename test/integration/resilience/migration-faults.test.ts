// The migration job on a network that drops, resets and stalls at random (seeded): a run either reports, and
// then every VM's result is what vSphere holds, or stops with "run the job again"; runs are repeated until one
// reports, and a last run on a sound network finds every VM migrated exactly once.
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobScope } from '../../../src/migration/job-scope.js'
import { runMigrationJob } from '../../../src/migration/job.js'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import type { PluginRegistry } from '../../../src/migration/registry.js'
import type { JobReport } from '../../../src/migration/report.js'
import type { VimClient } from '../../../src/vim/index.js'
import { FaultProxy } from '../../helpers/fault-proxy.js'
import { useSim } from '../../helpers/govcsim.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { createFleet, readFleet, type FleetVm } from '../migration/fleet.js'
import { migrationJobThrough } from './support.js'

const seed = Number(process.env['RESILIENCE_SEED'] ?? 20261122)
const sim = useSim()
const soap = useRawSoap(sim)
let proxy: FaultProxy
let client: VimClient
let registry: PluginRegistry
let scope: JobScope
let fleet: FleetVm[]
const log = pino({ level: 'silent' })

beforeAll(async () => {
  fleet = await createFleet(soap(), sim().inventory.datacenters[0]!, { count: 60, kind: () => 'legacy-v1' })
  proxy = await FaultProxy.start(sim().url, { stallMs: 300, slowMs: 100 })
  ;({ client, registry, scope } = await migrationJobThrough(proxy.url, sim()))
})
afterAll(async () => {
  await client?.close()
  await proxy?.stop()
})

/** Every result of the report agrees with the VM as the simulator holds it. */
async function expectReportTrue(report: JobReport): Promise<void> {
  const now = await readFleet(soap(), fleet)
  for (const result of report.vms) {
    const vm = now.get(result.vm)
    expect(vm, `${result.vm} is in the report but not in vSphere`).toBeDefined()
    if (result.outcome === 'migrated' || result.outcome === 'current') {
      expect(vm?.has(migrationRecordKey), `${result.vm} reported ${result.outcome} without a migration record`).toBe(true)
    }
    for (const diff of result.outcome === 'migrated' ? result.diff : []) {
      expect(vm?.get(diff.key), `${result.vm} ${diff.key}`).toBe(diff.to)
    }
  }
}

describe(`the migration job under random faults (seed ${seed})`, () => {
  it('reports only what vSphere holds, run after run, until a run gets through', async () => {
    proxy.random({ probability: 0.08, seed, methods: ['ReconfigVM_Task', 'RetrievePropertiesEx'] })
    const stopped: string[] = []
    let report: JobReport | undefined
    for (let run = 1; run <= 40 && !report; run++) {
      try {
        report = await runMigrationJob(client, { registry, scope, concurrency: 4, log })
      } catch (err) {
        // the job stops at the first VM vSphere did not answer for, and says how to go on
        expect((err as Error).message).toContain('run the job again')
        stopped.push((err as Error).message)
      }
    }
    const faults = proxy.faultCount
    proxy.clear()
    expect(faults, 'the proxy broke nothing').toBeGreaterThan(0)
    expect(report, `no run got through: ${stopped.length} stopped`).toBeDefined()
    await expectReportTrue(report!)
  })

  it('leaves every VM migrated once: a run on a sound network has nothing left to write', async () => {
    const report = await runMigrationJob(client, { registry, scope, log })
    await expectReportTrue(report)
    expect(report.totals.failed).toBe(0)
    expect(report.totals.migrated).toBe(report.vms.filter((r) => r.outcome === 'migrated').length)
    const again = await runMigrationJob(client, { registry, scope, log })
    expect(again.totals).toMatchObject({ containers: 60, current: 60, migrated: 0, failed: 0, writes: 0 })
    const now = await readFleet(soap(), fleet)
    for (const vm of fleet) expect(now.get(vm.moref.value)?.has(migrationRecordKey), vm.displayName).toBe(true)
  })
})
