// Containers made by older VIC services: VMs carrying the golden ExtraConfig vectors (made with VIC's own encoder)
// are created with raw SOAP in the VM folder, some before portlayer starts (its first listing must find them),
// some while it runs (its update loop must find them). They list and inspect under their names with the data
// version their creator stamped; rename is refused below version 4; reading them writes nothing to them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { startSim } from '../../helpers/govcsim.js'
import { startPortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { createTestVM, RawSoap, type MoRef } from '../../helpers/raw-soap.js'
import { readVm } from '../../helpers/sim-reads.js'
import { fixture, type VicFixture } from '../../helpers/vic-fixtures.js'

/** A fixture's ExtraConfig with its container ID replaced everywhere (keys and values), and maybe its name. */
function withId(f: VicFixture, id: string, name = f.expect.name): Array<[string, string]> {
  return Object.entries(f.extraConfig).map(([k, v]) => [
    k.replaceAll(f.expect.id, id),
    v === f.expect.name ? name : v.replaceAll(f.expect.id, id),
  ])
}

/** The display name VIC gave containers before rename support: the name cut to 15, then the full ID. */
const oldDisplayName = (name: string, id: string): string => `${name.slice(0, 15)}-${id}`

interface Placed {
  fixture: VicFixture
  id: string
  vm: MoRef
  displayName: string
}

describe('containers made by older services', () => {
  let sim: Govcsim
  let soap: RawSoap
  let pl: Portlayer
  const api = containersApi(() => pl)
  const placed: Placed[] = []

  async function place(f: VicFixture, id: string, displayName?: string, name?: string): Promise<Placed> {
    const dc = sim.inventory.datacenters[0]!
    const extraConfig = withId(f, id, name)
    const vmName = displayName ?? oldDisplayName(f.expect.name, id)
    const outcome = await createTestVM(soap, dc, vmName, { guestId: 'otherGuest64', extraConfig })
    expect(outcome.state, outcome.xml).toBe('success')
    return { fixture: f, id, vm: outcome.result!, displayName: vmName }
  }

  beforeAll(async () => {
    sim = await startSim()
    soap = await RawSoap.connect(sim.url, sim.username, sim.password)
    // the no-version vector's ID is kept; the v1 vector's ID has 65 characters (no VIC ever made one), so its
    // copy gets a 64-character ID; the vector itself is placed too, to show such a VM is left out harmlessly
    placed.push(await place(fixture('legacy-no-version'), fixture('legacy-no-version').expect.id))
    placed.push(await place(fixture('legacy-v1-bridge'), 'abcdef'.repeat(10) + 'abcd'))
    placed.push(await place(fixture('current-web-bridge'), fixture('current-web-bridge').expect.id, 'web-4a1b2c3d4e5f'))
    await place(fixture('legacy-v1-bridge'), fixture('legacy-v1-bridge').expect.id, 'malformed-id')
    pl = await startPortlayer({ existingSim: sim })
  })

  afterAll(async () => {
    await pl?.close()
    soap?.close()
    await sim?.stop()
  })

  it('lists and inspects them under their names, with the data version their creator stamped', async () => {
    const all = (await api.list(true)).body
    expect(all.map((c) => c.id).sort()).toEqual(placed.map((p) => p.id).sort())
    for (const p of placed) {
      const { expect: want } = p.fixture
      for (const ref of [p.id, want.name, p.id.slice(0, 12)]) {
        const res = await api.inspect(ref)
        expect(res.status, `${p.fixture.file} by ${ref}`).toBe(200)
        expect(res.body.id).toBe(p.id)
      }
      const c = (await api.inspect(p.id)).body
      expect(c).toMatchObject({
        name: want.name,
        displayName: p.displayName,
        dataVersion: want.pluginVersion,
        renameSupported: want.pluginVersion >= 4,
        image: want.repo,
        state: 'created',
        vm: { moref: p.vm.value, datastore: 'LocalDS_0', folder: p.displayName },
      })
    }
  })

  it('reads creation times stamped in seconds (before data version 9) as the same instant as later nanoseconds', async () => {
    expect((await api.inspect('ancient')).body.createdAt).toBe(new Date(1_480_000_000_000).toISOString())
    expect((await api.inspect('vch-restart-test1')).body.createdAt).toBe(new Date(1_510_950_922_000).toISOString())
    expect((await api.inspect('web')).body.createdAt).toBe(new Date(1_510_950_922_000).toISOString())
  })

  it('reads their network aliases and links as they were stored', async () => {
    expect((await api.inspect('vch-restart-test1')).body.networks).toEqual({ bridge: { aliases: [], links: ['web:webapp'] } })
    expect((await api.inspect('web')).body.networks).toEqual({ bridge: { aliases: ['webalias'], links: ['db:database'] } })
    expect((await api.inspect('ancient')).body.networks).toEqual({ bridge: { aliases: [], links: [] } })
  })

  it('leaves out a VM whose container ID is malformed, and keeps it untouched', async () => {
    const bad = fixture('legacy-v1-bridge').expect.id
    expect((await api.inspect(bad)).status).toBe(404)
    expect((await api.list(true)).body.map((c) => c.displayName)).not.toContain('malformed-id')
  })

  it('wrote nothing to them while reading them (migration happens in memory)', async () => {
    for (const p of placed) {
      const { extraConfig } = await readVm(soap, p.vm)
      for (const [key, value] of withId(p.fixture, p.id)) expect(extraConfig.get(key), `${p.fixture.file} ${key}`).toBe(value)
      // the hidden name the migration computes is not persisted on old containers
      if (p.fixture.expect.pluginVersion < 2) expect(extraConfig.has('common/name')).toBe(false)
    }
  })

  it('starts an old container by writing only the started mark, keeping its keys in the old layout', async () => {
    const p = placed.find((x) => x.fixture.file === 'legacy-v1-bridge.json')!
    const before = (await readVm(soap, p.vm)).extraConfig
    expect((await api.start('vch-restart-test1')).status).toBe(204)
    const after = await readVm(soap, p.vm)
    expect(after.powerState).toBe('poweredOn')
    const changed = [...after.extraConfig].filter(([k, v]) => before.get(k) !== v).map(([k]) => k)
    const removed = [...before.keys()].filter((k) => !after.extraConfig.has(k))
    expect(changed).toEqual([`guestinfo.vice..sessions|${p.id}.started`])
    expect(removed).toEqual([])
    expect(after.extraConfig.get('guestinfo.vice./common/name')).toBe('vch-restart-test1')
    expect(after.extraConfig.has('common/name')).toBe(false)
    expect((await api.inspect('vch-restart-test1')).body.state).toBe('running')
  })

  it('finds an old container created while it runs, through its update loop', async () => {
    const f = fixture('legacy-no-version')
    const id = '0123456789abcdef'.repeat(4)
    await place(f, id, 'late-arrival', 'late-ancient')
    await eventually(async () => {
      const res = await api.inspect('late-ancient')
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ id, dataVersion: 0, renameSupported: false, displayName: 'late-arrival' })
    })
    expect((await api.inspect('ancient')).body.id).toBe(f.expect.id)
  })
})
