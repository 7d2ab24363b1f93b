// A VM folder holding one VM of every layout a VIC release left (test/fixtures/vic-releases/), a container of every
// data version from 0 to 10, and the three appliance layouts, some of them running; then `portlayer migrate` on that
// folder, and the REST API on the result. Checked by reading every VM back with raw SOAP: each container reads its
// name from common/name, the legacy ones got exactly the hidden keys they lacked, no guest-visible key changed,
// the VM whose two names disagree is reported and untouched, a second run writes nothing, and rename is refused
// below data version 4 and allowed from 4.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import type { JobReport } from '../../../src/migration/report.js'
import { useSim } from '../../helpers/govcsim.js'
import { startPortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { el, expectOk, returnedRef, useRawSoap, type MoRef } from '../../helpers/raw-soap.js'
import {
  rekeyed,
  releaseFixture,
  releaseFixtures,
  restamped,
  type ReleaseFixture,
} from '../../helpers/vic-release-fixtures.js'
import { migrate, migrateJson, sdkUrl, type CliRun } from './cli.js'
import { changedKeys } from './fleet.js'

const sim = useSim()
const soap = useRawSoap(sim)

interface ShapeVm {
  readonly fixture: ReleaseFixture
  readonly dataVersion: number
  readonly id: string
  readonly name: string
  readonly moref: MoRef
  readonly running: boolean
  readonly before: ReadonlyMap<string, string>
}

/** The data versions no release shipped, each on the shape of the master builds that stamped it. */
const betweenReleases: ReadonlyArray<[number, string]> = [
  [1, 'container-v0-vic-0.9'],
  [2, 'container-v5-vic-1.1'],
  [3, 'container-v5-vic-1.1'],
  [4, 'container-v5-vic-1.1'],
  [6, 'container-v8-vic-1.2'],
  [7, 'container-v8-vic-1.2'],
]

const folderName = 'shapes'
let vms: ShapeVm[]
let first: CliRun & { report: JobReport }
let afterFirst: Map<string, Map<string, string>>

async function readAll(): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>()
  for (const vm of vms) out.set(vm.moref.value, new Map(await soap().extraConfig(vm.moref)))
  return out
}

beforeAll(async () => {
  const dc = sim().inventory.datacenters[0]!
  const created = await soap().call('CreateFolder', { type: 'Folder', value: dc.vmFolder }, el('name', folderName))
  expectOk(created)
  const folder = returnedRef(created.text)!
  const pool = { type: 'ResourcePool', value: dc.resourcePools[0]!.moref }
  const plan: Array<[ReleaseFixture, number | undefined]> = [
    ...releaseFixtures.map((f) => [f, undefined] as [ReleaseFixture, undefined]),
    ...betweenReleases.map(([version, shape]) => [releaseFixture(shape), version] as [ReleaseFixture, number]),
  ]
  vms = []
  for (const [i, [fixture, version]] of plan.entries()) {
    const id = createHash('sha256').update(`shape/${i}`).digest('hex')
    const name = `shape-${i}`
    const { target } = fixture.expect
    const base = rekeyed(fixture, id, name)
    const config = version === undefined ? base : restamped(base, target, version)
    const displayName = `${name}-${id.slice(0, 12)}`
    const made = await soap().task(
      soap().createVM(folder, pool, {
        name: displayName,
        guestId: 'otherGuest',
        vmPathName: `[${dc.datastores[0]!.name}] ${id}/${id}.vmx`,
        extraConfig: [...config],
      }),
    )
    expect(made.state, `creating ${displayName}: ${made.fault}`).toBe('success')
    const running = i % 3 === 0
    if (running) expect((await soap().task(soap().powerOn(made.result!))).state).toBe('success')
    vms.push({
      fixture,
      dataVersion: version ?? fixture.expect.dataVersion,
      id,
      name,
      moref: made.result!,
      running,
      before: new Map(await soap().extraConfig(made.result!)),
    })
  }
  first = await migrateJson(['--url', sdkUrl(sim()), '--vm-folder', `/${dc.name}/vm/${folderName}`])
  afterFirst = await readAll()
})

const containers = () => vms.filter((vm) => vm.fixture.expect.target === 'container')
const consistent = () => vms.filter((vm) => vm.fixture.expect.outcome !== 'inconsistent')
const inconsistent = () => vms.filter((vm) => vm.fixture.expect.outcome === 'inconsistent')

describe('portlayer migrate on a VM of every VIC release', () => {
  it('has a container of every data version from 0 to 10, some running', () => {
    expect(new Set(containers().map((vm) => vm.dataVersion))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    expect(vms.some((vm) => vm.running) && vms.some((vm) => !vm.running)).toBe(true)
  })

  it('gives every container common/name equal to its legacy name, and every appliance init/common/name', () => {
    for (const vm of consistent()) {
      const config = afterFirst.get(vm.moref.value)!
      const [nameKey, legacyKey] =
        vm.fixture.expect.target === 'container'
          ? ['common/name', 'guestinfo.vice./common/name']
          : ['init/common/name', 'guestinfo.vice./init/common/name']
      expect(config.get(nameKey), vm.name).toBe(vm.name)
      if (vm.before.has(legacyKey)) expect(config.get(nameKey), vm.name).toBe(vm.before.get(legacyKey))
    }
  })

  it('writes exactly the hidden keys each VM lacked, with the record, and changes no guestinfo key anywhere', () => {
    for (const vm of vms) {
      const changes = changedKeys(vm.before, afterFirst.get(vm.moref.value)!)
      expect(changes.filter(([key]) => key.startsWith('guestinfo.')), vm.name).toEqual([])
      const persisted = Object.entries(vm.fixture.expect.persisted).map(([key, value]) => [
        key,
        undefined,
        value === vm.fixture.expect.name ? vm.name : value,
      ])
      const record = persisted.length > 0 ? [[migrationRecordKey, undefined, vm.fixture.expect.target === 'container' ? '9' : '1']] : []
      expect(changes, `${vm.fixture.name} as ${vm.name}`).toEqual([...persisted, ...record].sort((a, b) => String(a[0]).localeCompare(String(b[0]))))
    }
  })

  it('reports the VM whose names disagree, leaves it as it is, and does not call the run a success', () => {
    expect(first.code).toBe(1)
    expect(first.report.totals).toMatchObject({ inconsistent: 1, failed: 0 })
    const [vm] = inconsistent()
    expect(changedKeys(vm!.before, afterFirst.get(vm!.moref.value)!)).toEqual([])
    const result = first.report.vms.find((r) => r.vm === vm!.moref.value)
    expect(result).toMatchObject({ outcome: 'inconsistent', diff: [], attempts: 0 })
    expect(result?.error).toContain(`common/name holds "${vm!.name}" but guestinfo.vice./common/name holds "${vm!.name}-old"`)
  })

  it('says per VM which plugin changed what', () => {
    for (const vm of consistent().filter((v) => Object.keys(v.fixture.expect.persisted).length > 0)) {
      const result = first.report.vms.find((r) => r.vm === vm.moref.value)!
      const plugin = vm.fixture.expect.target === 'container' ? 'add-common-name' : 'add-common-spec-for-vch'
      expect(result.plugins.find((p) => p.name === plugin)?.written, vm.name).toEqual(Object.keys(vm.fixture.expect.persisted))
    }
  })

  it('writes nothing on a second run, and says again which VM it left as it is', async () => {
    await sim().resetStats()
    const dc = sim().inventory.datacenters[0]!
    const second = await migrate(['--url', sdkUrl(sim()), '--vm-folder', `/${dc.name}/vm/${folderName}`])
    expect((await sim().stats())['ReconfigVM_Task'] ?? 0).toBe(0)
    expect(second.code).toBe(1)
    const [vm] = inconsistent()
    expect(second.out).toContain(
      `${vm!.moref.value} ${vm!.name}-${vm!.id.slice(0, 12)} (container, data version 3): LEFT AS IT IS, its keys contradict each other: `,
    )
    expect(await readAll()).toEqual(afterFirst)
  })
})

describe('rename through the REST API after the migration', () => {
  let pl: Portlayer
  beforeAll(async () => {
    const dc = sim().inventory.datacenters[0]!
    pl = await startPortlayer({ existingSim: sim(), config: { vmFolder: `/${dc.name}/vm/${folderName}` } })
  })
  afterAll(async () => {
    await pl?.close()
  })

  it('is refused for every data version below 4 and changes nothing', async () => {
    for (const vm of containers().filter((v) => v.dataVersion < 4)) {
      const res = await pl.inject({ method: 'POST', url: `/v1/containers/${vm.id}/rename?name=renamed-${vm.name}` })
      expect(res.statusCode, `${vm.fixture.name} stamped ${vm.dataVersion}`).toBe(409)
      expect(res.json()).toMatchObject({ code: 'rename_not_supported' })
      expect(new Map(await soap().extraConfig(vm.moref)), vm.name).toEqual(afterFirst.get(vm.moref.value))
    }
  })

  it('is allowed from data version 4, and the new name is in common/name', async () => {
    for (const vm of containers().filter((v) => v.dataVersion >= 4)) {
      const res = await pl.inject({ method: 'POST', url: `/v1/containers/${vm.id}/rename?name=renamed-${vm.name}` })
      expect(res.statusCode, `${vm.fixture.name} stamped ${vm.dataVersion}: ${res.body}`).toBe(204)
      expect(new Map(await soap().extraConfig(vm.moref)).get('common/name'), vm.name).toBe(`renamed-${vm.name}`)
    }
  })
})
