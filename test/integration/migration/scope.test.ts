// Which VMs `portlayer migrate` touches: the VM folder and resource pool flags of `portlayer serve` narrow it,
// VMs that are not VIC's are left alone, the VCH appliance is migrated whole (powered off) or refused (running),
// and a command line it cannot act on is a usage error (exit code 2) that writes nothing.
import { beforeAll, describe, expect, it } from 'vitest'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import type { DatacenterInventory } from '../../../src/sim/launcher.js'
import { useSim } from '../../helpers/govcsim.js'
import { el, expectOk, returnedRef, useRawSoap } from '../../helpers/raw-soap.js'
import { asAppliance, legacyFixtures } from '../../unit/migration/fixtures.js'
import { migrate, migrateJson, sdkUrl } from './cli.js'
import { createFleet, type FleetVm } from './fleet.js'

const sim = useSim()
const soap = useRawSoap(sim)

let dc: DatacenterInventory
let inFolder: FleetVm[]
let inPool: FleetVm[]
let inBoth: FleetVm[]
let elsewhere: FleetVm[]
const legacy = () => 'legacy-v1' as const

beforeAll(async () => {
  dc = sim().inventory.datacenters[0]!
  const created = await soap().call('CreateFolder', { type: 'Folder', value: dc.vmFolder }, el('name', 'containers'))
  expectOk(created)
  const folder = returnedRef(created.text)!.value
  const [clusterPool, hostPool] = dc.resourcePools
  inFolder = await createFleet(soap(), dc, { count: 3, kind: legacy, prefix: 'folder', folder, pool: clusterPool!.moref })
  inBoth = await createFleet(soap(), dc, { count: 2, kind: legacy, prefix: 'both', folder, pool: hostPool!.moref })
  inPool = await createFleet(soap(), dc, { count: 3, kind: legacy, prefix: 'pool', pool: hostPool!.moref })
  elsewhere = await createFleet(soap(), dc, { count: 3, kind: legacy, prefix: 'else', pool: clusterPool!.moref })
  // a VM that is no container: the job must not even count it as one
  expectOk(await soap().createVM({ type: 'Folder', value: folder }, { type: 'ResourcePool', value: clusterPool!.moref }, {
    name: 'plain-vm',
    guestId: 'otherGuest',
    vmPathName: `[${dc.datastores[0]!.name}] plain-vm/plain-vm.vmx`,
    extraConfig: [['guestinfo.other', 'x']],
  }))
})

async function migrated(vms: readonly FleetVm[]): Promise<boolean[]> {
  return Promise.all(vms.map(async (vm) => new Map(await soap().extraConfig(vm.moref)).has(migrationRecordKey)))
}

describe('the scope of portlayer migrate', () => {
  it('refuses a command line it cannot act on with exit code 2, writing nothing', async () => {
    await sim().resetStats()
    const noUrl = await migrate([])
    expect(noUrl.code).toBe(2)
    expect(noUrl.err).toContain('give --url')
    expect((await migrate(['--url', sdkUrl(sim()), '--concurrency', '0'])).code).toBe(2)
    expect((await migrate(['--url', sdkUrl(sim()), '--concurrency', 'many'])).code).toBe(2)
    expect((await migrate(['--url', sdkUrl(sim()), '--no-such-flag'])).code).toBe(2)
    const badFolder = await migrate(['--url', sdkUrl(sim()), '--vm-folder', `/${dc.name}/vm/nowhere`])
    expect(badFolder.code).toBe(2)
    expect(badFolder.err).toContain(`--vm-folder /${dc.name}/vm/nowhere: nothing at that inventory path`)
    const notAPool = await migrate(['--url', sdkUrl(sim()), '--pool', `/${dc.name}/vm`])
    expect(notAPool.code).toBe(2)
    expect(notAPool.err).toContain('that is a Folder, not a ResourcePool')
    expect((await sim().stats())['ReconfigVM_Task'] ?? 0).toBe(0)
  })

  it('with --vm-folder and --pool, migrates only the VMs in both', async () => {
    const run = await migrateJson([
      '--url', sdkUrl(sim()),
      '--vm-folder', `/${dc.name}/vm/containers`,
      '--pool', dc.resourcePools[1]!.path,
    ])
    expect(run.code).toBe(0)
    expect(run.report.scope).toBe(`VM folder /${dc.name}/vm/containers and resource pool ${dc.resourcePools[1]!.path}`)
    expect(run.report.totals).toMatchObject({ examined: 2, migrated: 2 })
    expect(await migrated([...inBoth, ...inFolder, ...inPool, ...elsewhere])).toEqual([
      ...inBoth.map(() => true),
      ...[...inFolder, ...inPool, ...elsewhere].map(() => false),
    ])
  })

  it('with --vm-folder, migrates the VMs under that folder and ignores the VMs that are not containers', async () => {
    const run = await migrateJson(['--url', sdkUrl(sim()), '--vm-folder', `/${dc.name}/vm/containers`])
    expect(run.code).toBe(0)
    expect(run.report.totals).toMatchObject({ examined: 6, ignored: 1, containers: 5, migrated: 3 })
    expect(run.report.totals.current + run.report.totals.inMemory).toBe(2)
    expect(await migrated([...inFolder, ...inPool, ...elsewhere])).toEqual([true, true, true, false, false, false, false, false, false])
  })

  it('with --pool, migrates the VMs of that pool', async () => {
    const run = await migrateJson(['--url', sdkUrl(sim()), '--pool', dc.resourcePools[1]!.path])
    expect(run.code).toBe(0)
    expect(run.report.totals).toMatchObject({ examined: 5, migrated: 3 })
    expect(await migrated([...inPool, ...elsewhere])).toEqual([true, true, true, false, false, false])
  })

  it('without either, migrates every container VM of the vCenter', async () => {
    const run = await migrateJson(['--url', sdkUrl(sim())])
    expect(run.code).toBe(0)
    expect(run.report.totals).toMatchObject({ migrated: 3, containers: 11, ignored: 1 })
    expect(await migrated(elsewhere)).toEqual([true, true, true])
  })
})

describe('the VCH appliance', () => {
  const appliance = asAppliance(legacyFixtures[0]!.config)

  async function createAppliance(name: string, running: boolean) {
    const folder = { type: 'Folder', value: dc.vmFolder }
    const pool = { type: 'ResourcePool', value: dc.resourcePools[0]!.moref }
    const vm = await soap().task(
      soap().createVM(folder, pool, {
        name,
        guestId: 'otherGuest',
        vmPathName: `[${dc.datastores[0]!.name}] ${name}/${name}.vmx`,
        extraConfig: [...appliance],
      }),
    )
    if (running) expect((await soap().task(soap().powerOn(vm.result!))).state).toBe('success')
    return vm.result!
  }

  it('gets its hidden name whether it runs or not, and keeps its version stamp', async () => {
    const running = await createAppliance('vch-running', true)
    const off = await createAppliance('vch-off', false)

    const run = await migrateJson(['--url', sdkUrl(sim())])
    expect(run.code).toBe(0)
    for (const vm of [running, off]) {
      expect(run.report.vms.find((r) => r.vm === vm.value)).toMatchObject({ target: 'appliance', outcome: 'migrated' })
      const config = new Map(await soap().extraConfig(vm))
      expect(config.get('init/common/name')).toBe(legacyFixtures[0]!.expect.name)
      expect(config.get('guestinfo.vice./init/version/PluginVersion')).toBe(appliance.get('guestinfo.vice./init/version/PluginVersion'))
    }
  })

  it('is refused while running when a guest-visible key must change, and migrated whole once powered off', async () => {
    const noId = new Map(appliance)
    noId.delete('guestinfo.vice./init/common/id')
    const folder = { type: 'Folder', value: dc.vmFolder }
    const pool = { type: 'ResourcePool', value: dc.resourcePools[0]!.moref }
    const made = await soap().task(
      soap().createVM(folder, pool, {
        name: 'vch-no-id',
        guestId: 'otherGuest',
        vmPathName: `[${dc.datastores[0]!.name}] vch-no-id/vch-no-id.vmx`,
        extraConfig: [...noId],
      }),
    )
    const vm = made.result!
    expect((await soap().task(soap().powerOn(vm))).state).toBe('success')

    const refused = await migrateJson(['--url', sdkUrl(sim())])
    expect(refused.code).toBe(1)
    expect(refused.report.vms.find((r) => r.vm === vm.value)).toMatchObject({ target: 'appliance', outcome: 'failed' })
    const runningConfig = new Map(await soap().extraConfig(vm))
    expect(runningConfig.has('init/common/name')).toBe(false)
    expect(runningConfig.has(migrationRecordKey)).toBe(false)

    expect((await soap().task(soap().call('PowerOffVM_Task', vm))).state).toBe('success')
    const done = await migrateJson(['--url', sdkUrl(sim())])
    expect(done.code).toBe(0)
    const offConfig = new Map(await soap().extraConfig(vm))
    expect(offConfig.get('init/common/name')).toBe(legacyFixtures[0]!.expect.name)
    expect(offConfig.get('guestinfo.vice./init/common/id')).toBe('<nil>')
  })
})
