// A container VIC made before rename existed keeps working through portlayer's REST API after the migration job:
// inspect, start, stop and remove act on it, its output is read from the log folder where it was, in the format
// its own tether wrote (plain bytes at data version 0, entries with times and streams from version 1), and rename
// is still refused (the data version its creator stamped stays what it was: the job writes hidden keys only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import type { VimClient } from '../../../src/vim/index.js'
import { useSim } from '../../helpers/govcsim.js'
import { startPortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { faultType, useRawSoap } from '../../helpers/raw-soap.js'
import { connectClient, entries, getLogs, outputLog, second, t0 } from '../logs/support.js'
import { migrateJson, sdkUrl } from './cli.js'
import { changedKeys, createFleet, powerState, type FleetVm } from './fleet.js'

const sim = useSim()
const soap = useRawSoap(sim)
let fleet: FleetVm[]
let before: Map<string, string>[]
let pl: Portlayer
let files: VimClient

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
  files = await connectClient(pl)
})
afterAll(async () => {
  await files?.close()
  await pl?.close()
})

/** What each container's tether left in its `output.log`: VIC's first tether wrote plain bytes. */
const plainOutput = 'listening on :8080\nGET / 200\nshutting down'
const framedOutput = Buffer.concat([
  entries('listening on :8080\n', t0),
  entries('GET / 200\n', t0 + second),
  entries('disk almost full\n', t0 + second, 'stderr'),
  entries('shutting down\n', t0 + 2n * second),
])

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

  it('serves the output its own tether wrote through the logs route', async () => {
    const c = (await pl.inject({ method: 'GET', url: url() })).json<ContainerView>()
    await files.files.put(outputLog(pl, c), version === 0 ? plainOutput : framedOutput)
    const all = await getLogs(pl, vm().name)
    expect(all.status).toBe(200)
    expect(all.body).toBe(version === 0 ? plainOutput : 'listening on :8080\nGET / 200\ndisk almost full\nshutting down\n')
    if (version === 0) {
      // no entry headers: a tail counts lines, and times or streams cannot be asked for
      expect((await getLogs(pl, vm().id, 'tail=1')).body).toBe('shutting down')
      const refused = await getLogs(pl, vm().id, 'timestamps=true')
      expect(refused.status).toBe(400)
      expect(refused.error?.code).toBe('invalid_log_option')
    } else {
      expect((await getLogs(pl, vm().id, 'tail=2&timestamps=true')).body).toBe(
        '2023-11-14T22:13:21.000000000Z disk almost full\n2023-11-14T22:13:22.000000000Z shutting down\n',
      )
      expect((await getLogs(pl, vm().id, 'stdout=false')).body).toBe('disk almost full\n')
    }
  })

  it('is removed', async () => {
    expect((await pl.inject({ method: 'DELETE', url: url() })).statusCode).toBe(204)
    const gone = await soap().retrieve(vm().moref, ['name'])
    expect(faultType(gone.text)).toBe('ManagedObjectNotFound')
  })
})
