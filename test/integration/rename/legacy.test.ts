// Containers made before rename existed (VIC's golden vectors with data version 1, or none, loaded into VMs with
// raw SOAP) are refused with 409 `rename_not_supported`, and their VM is not touched: same display name, same
// changeVersion, same ExtraConfig, and no reconfigure reached the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { eventually } from '../../helpers/eventually.js'
import { startSim } from '../../helpers/govcsim.js'
import { startPortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { createTestVM, RawSoap, type MoRef } from '../../helpers/raw-soap.js'
import { readVm, statsDelta } from '../../helpers/sim-reads.js'
import { vicFixtures, type VicFixture } from '../../helpers/vic-fixtures.js'
import { rename } from './support.js'

const legacy = vicFixtures.filter((f) => f.file.startsWith('legacy-'))

/** The fixture's ExtraConfig under a fresh 64-hex ID (the v1 vector's own ID is not a valid one). */
function withId(f: VicFixture, id: string): Array<[string, string]> {
  return Object.entries(f.extraConfig).map(([k, v]) => [k.replaceAll(f.expect.id, id), v.replaceAll(f.expect.id, id)])
}

describe('renaming a container made before rename existed', () => {
  let sim: Govcsim
  let soap: RawSoap
  let pl: Portlayer
  const placed: Array<{ fixture: VicFixture; id: string; vm: MoRef }> = []

  beforeAll(async () => {
    sim = await startSim()
    soap = await RawSoap.connect(sim.url, sim.username, sim.password)
    const dc = sim.inventory.datacenters[0]!
    for (const [i, f] of legacy.entries()) {
      const id = String(i + 1).repeat(64)
      const outcome = await createTestVM(soap, dc, `${f.expect.name.slice(0, 15)}-${id}`, {
        guestId: 'otherGuest64',
        extraConfig: withId(f, id),
      })
      expect(outcome.state, outcome.xml).toBe('success')
      placed.push({ fixture: f, id, vm: outcome.result! })
    }
    pl = await startPortlayer({ existingSim: sim })
  })

  afterAll(async () => {
    await pl?.close()
    soap?.close()
    await sim?.stop()
  })

  it('has the legacy vectors to test with', () => {
    expect(placed.map((p) => p.fixture.file)).toEqual(['legacy-no-version.json', 'legacy-v1-bridge.json'])
  })

  it.each(legacy.map((f) => [f.file, f] as const))('refuses %s with rename_not_supported and leaves its VM alone', async (_, f) => {
    const p = placed.find((x) => x.fixture === f)!
    const inspected = await eventually(async () => {
      const res = await pl.inject({ method: 'GET', url: `/v1/containers/${p.id}` })
      expect(res.statusCode).toBe(200)
      return res.json() as { name: string; renameSupported: boolean; dataVersion: number }
    })
    expect(inspected).toMatchObject({ name: f.expect.name, renameSupported: false, dataVersion: f.expect.pluginVersion })

    const before = await readVm(soap, p.vm)
    const stats = await sim.stats()
    for (const ref of [p.id, f.expect.name]) {
      const res = await rename(pl, ref, `renamed-${p.id.slice(0, 4)}`)
      expect(res.status).toBe(409)
      expect(res.body).toMatchObject({
        code: 'rename_not_supported',
        message: `container ${f.expect.name} does not support rename`,
      })
    }
    expect(statsDelta(stats, await sim.stats()).ReconfigVM_Task).toBeUndefined()
    const after = await readVm(soap, p.vm)
    expect(after.name).toBe(before.name)
    expect(after.changeVersion).toBe(before.changeVersion)
    expect([...after.extraConfig]).toEqual([...before.extraConfig])
  })

  it('refuses the name of a legacy container to a container that can be renamed', async () => {
    const created = await pl.inject({ method: 'POST', url: '/v1/containers', payload: { name: 'fresh' } })
    expect(created.statusCode).toBe(201)
    const holder = placed[0]!
    const res = await rename(pl, 'fresh', holder.fixture.expect.name)
    expect(res.status).toBe(409)
    expect(res.body).toMatchObject({ code: 'name_conflict' })
    expect(res.body?.message).toContain(holder.id)
  })
})
