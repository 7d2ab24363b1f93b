// A container VIC made before rename existed keeps working through portlayer's REST API after the migration job:
// inspect, start, stop and remove act on it, its log folder is where it was, and rename is still refused (the data
// version its creator stamped stays what it was: the job writes hidden keys only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import { useSim } from '../../helpers/govcsim.js'
import { startPortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { faultType, useRawSoap } from '../../helpers/raw-soap.js'
import { migrateJson, sdkUrl } from './cli.js'
import { changedKeys, createFleet, powerState, type FleetVm } from './fleet.js'

const sim = useSim()
const soap = useRawSoap(sim)
let fleet: FleetVm[]
let before: Map<string, string>[]
let pl: Portlayer

beforeAll(async () => {
  fleet = await createFleet(soap(), sim().inventory.datacenters[0]!, {
    count: 2,
    kind: (i) => (i === 0 ? 'legacy-v0' : 'legacy-v1'),
    prefix: 'old',
  })
  before = await Promise.all(fleet.map(async (vm) => new Map(await soap().extraConfig(vm.moref))))
  const run = await migrateJson(['--url', sdkUrl(sim())])
  expect(run.report.totals.migrated).toBe(2)
  pl = await startPortlayer({ existingSim: sim() })
})
afterAll(async () => {
  await pl?.close()
})

describe.each([0, 1])('legacy container v%i after the migration job', (version) => {
  const vm = () => fleet[version]!
  const url = () => `/v1/containers/${vm().name}`

  it('is inspected with its name, its old data version and its VM folder', async () => {
    const res = await pl.inject({ method: 'GET', url: url() })
    expect(res.statusCode).toBe(200)
    const body = res.json<Record<string, unknown> & { vm: { vmPathName: string } }>()
    expect(body).toMatchObject({ id: vm().id, name: vm().name, dataVersion: version, renameSupported: false })
    expect(body.vm.vmPathName).toBe(`[${sim().inventory.datacenters[0]!.datastores[0]!.name}] ${vm().id}/${vm().id}.vmx`)
  })

  it('is still refused a rename, and nothing of it changes', async () => {
    const res = await pl.inject({ method: 'POST', url: `${url()}/rename?name=renamed-${version}` })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ code: 'rename_not_supported' })
    const config = new Map(await soap().extraConfig(vm().moref))
    expect(changedKeys(before[version]!, config)).toEqual([
      ['common/name', undefined, vm().name],
      [migrationRecordKey, undefined, '9'],
    ])
  })

  it('starts and stops', async () => {
    expect((await pl.inject({ method: 'POST', url: `${url()}/start` })).statusCode).toBe(204)
    expect(await powerState(soap(), vm().moref)).toBe('poweredOn')
    expect((await pl.inject({ method: 'POST', url: `${url()}/stop` })).statusCode).toBe(204)
    expect(await powerState(soap(), vm().moref)).toBe('poweredOff')
    expect((await pl.inject({ method: 'GET', url: url() })).json()).toMatchObject({ state: 'stopped', name: vm().name })
  })

  it('is removed', async () => {
    expect((await pl.inject({ method: 'DELETE', url: url() })).statusCode).toBe(204)
    const gone = await soap().retrieve(vm().moref, ['name'])
    expect(faultType(gone.text)).toBe('ManagedObjectNotFound')
  })
})
