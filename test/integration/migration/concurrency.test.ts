// The migration job when others change the same VMs: a write from a stale read is refused by vSphere
// (ConcurrentAccess on changeVersion), read again and replayed, without losing the other writer's change; a VM
// that keeps changing fails alone after a bounded number of replays; a VM deleted meanwhile is reported gone;
// a run stopped by a signal ends cleanly between VMs.
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { discoverPlugins } from '../../../src/migration/discover.js'
import { defaultMaxAttempts, VmMigrator } from '../../../src/migration/job-executor.js'
import { JobInventory, listingKeys } from '../../../src/migration/job-inventory.js'
import { plannedVm, type PlannedVm } from '../../../src/migration/job-plan.js'
import { resolveScope } from '../../../src/migration/job-scope.js'
import { runMigrationJob } from '../../../src/migration/job.js'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import type { PluginRegistry } from '../../../src/migration/registry.js'
import { succeeded } from '../../../src/migration/report.js'
import { connect, moref, type VimClient } from '../../../src/vim/index.js'
import { useSim } from '../../helpers/govcsim.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { migrate, migrateJson, sdkUrl } from './cli.js'
import { createFleet, type FleetVm } from './fleet.js'

const sim = useSim()
const soap = useRawSoap(sim)
let client: VimClient
let registry: PluginRegistry
let inventory: JobInventory
let migrator: VmMigrator

beforeAll(async () => {
  client = await connect({ url: sim().url, username: sim().username, password: sim().password, keepAliveMs: 0 })
  registry = await discoverPlugins()
  inventory = new JobInventory(client, listingKeys(registry))
  const log = pino({ level: 'silent' })
  migrator = new VmMigrator({ registry, vms: inventory, dryRun: false, maxAttempts: defaultMaxAttempts, log })
})
afterAll(async () => {
  await client?.close()
})

let n = 0
/** Legacy v1 containers of their own for one test. */
function legacyVMs(count: number, running = false): Promise<FleetVm[]> {
  return createFleet(soap(), sim().inventory.datacenters[0]!, {
    count,
    kind: () => 'legacy-v1',
    running: () => running,
    prefix: `t${n++}`,
  })
}

async function readVm(vm: FleetVm): Promise<Map<string, string>> {
  return new Map(await soap().extraConfig(vm.moref))
}

const vmRef = (vm: FleetVm) => moref('VirtualMachine', vm.moref.value)

/** The VM as the job holds it after listing it now: read, then planned. */
async function listed(vm: FleetVm): Promise<PlannedVm> {
  return plannedVm(registry, (await inventory.read(vmRef(vm), 'test'))!)
}

describe('the migration job and concurrent writers', () => {
  it('replays a write refused because the VM changed after it was read, keeping the other change', async () => {
    const [vm] = await legacyVMs(1, true)
    const stale = await listed(vm!)
    // another writer (the service, a second job) changes the VM: its changeVersion moves on
    const other = await soap().task(soap().reconfigure(vm!.moref, { extraConfig: [['annotations|owner', 'ops']] }))
    expect(other.state).toBe('success')

    await sim().resetStats()
    const result = await migrator.run(stale)

    expect(result).toMatchObject({ outcome: 'migrated', attempts: 2 })
    expect((await sim().stats())['ReconfigVM_Task']).toBe(2)
    const config = await readVm(vm!)
    expect(config.get('common/name')).toBe(vm!.name)
    expect(config.get(migrationRecordKey)).toBe('9')
    expect(config.get('annotations|owner')).toBe('ops')
  })

  it('does not write a VM another job migrated meanwhile', async () => {
    const [vm] = await legacyVMs(1)
    const stale = await listed(vm!)
    expect((await migrator.run(await listed(vm!)))?.outcome).toBe('migrated')

    await sim().resetStats()
    const result = await migrator.run(stale)
    expect(result).toMatchObject({ outcome: 'current', attempts: 1 })
    expect((await sim().stats())['ReconfigVM_Task']).toBe(1)
  })

  it('reports a VM deleted before its write as gone, not failed', async () => {
    const [vm] = await legacyVMs(1)
    const before = await listed(vm!)
    expect((await soap().task(soap().call('Destroy_Task', vm!.moref))).state).toBe('success')

    expect(await migrator.run(before)).toMatchObject({ outcome: 'gone', attempts: 1 })
    expect(await inventory.read(vmRef(vm!), 'test')).toBeUndefined()
  })

  it('fails only the VM that keeps changing, after a bounded number of replays; the next run finishes it', async () => {
    const vms = await legacyVMs(6)
    const busy = vms[2]!
    await sim().injectFault({ method: 'ReconfigVM_Task', vm: busy.displayName, fault: 'ConcurrentAccess', count: -1 })
    try {
      const first = await migrateJson(['--url', sdkUrl(sim())])
      expect(first.code).toBe(1)
      const failed = first.report.vms.filter((r) => r.outcome === 'failed')
      expect(failed.map((r) => r.vm)).toEqual([busy.moref.value])
      expect(failed[0]!.attempts).toBe(defaultMaxAttempts)
      expect(failed[0]!.error).toMatch(/changed while the job wrote it, 5 times in a row; run the job again/)
      for (const vm of vms.filter((v) => v !== busy)) expect((await readVm(vm)).get(migrationRecordKey)).toBe('9')
      expect((await readVm(busy)).has(migrationRecordKey)).toBe(false)

      const text = await migrate(['--url', sdkUrl(sim())])
      expect(text.code).toBe(1)
      expect(text.out).toContain(`${busy.moref.value} ${busy.displayName} (container, data version 1): FAILED`)
    } finally {
      await sim().clearFaults()
    }

    const second = await migrateJson(['--url', sdkUrl(sim())])
    expect(second.code).toBe(0)
    expect(second.report.totals.migrated).toBe(1)
    expect((await readVm(busy)).get('common/name')).toBe(busy.name)
  })

  it('replays a ConcurrentAccess refusal once and counts it in the report', async () => {
    const [vm] = await legacyVMs(1)
    await sim().injectFault({ method: 'ReconfigVM_Task', vm: vm!.displayName, fault: 'ConcurrentAccess', count: 1 })
    const run = await migrateJson(['--url', sdkUrl(sim())])
    expect(run.code).toBe(0)
    expect(run.report.vms.find((r) => r.vm === vm!.moref.value)).toMatchObject({ outcome: 'migrated', attempts: 2 })
    expect(run.report.totals.conflicts).toBe(1)
  })
})

describe('a run stopped by the operator (SIGINT)', () => {
  it('starts no new VM, reports what it did, and the next run finishes the rest', async () => {
    const vms = await legacyVMs(40)
    const stop = new AbortController()
    const report = await runMigrationJob(client, {
      registry,
      scope: await resolveScope(client, {}),
      concurrency: 2,
      signal: stop.signal,
      log: pino({ level: 'silent' }),
      listener: { onVm: (totals) => totals.migrated >= 5 && stop.abort() },
    })
    expect(report.interrupted).toBe(true)
    expect(succeeded(report)).toBe(false)
    // the VMs already in flight when the signal came are finished, no more
    expect(report.totals.migrated).toBeGreaterThanOrEqual(5)
    expect(report.totals.migrated).toBeLessThanOrEqual(6)
    const written = (await Promise.all(vms.map(readVm))).filter((c) => c.has(migrationRecordKey))
    expect(written).toHaveLength(report.totals.migrated)

    const rest = await migrateJson(['--url', sdkUrl(sim())])
    expect(rest.code).toBe(0)
    expect(rest.report.totals.migrated).toBe(40 - report.totals.migrated)
  })
})
