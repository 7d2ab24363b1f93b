// A standby beside the writer, in one test process: writes sent to the standby are made by the writer and answered
// alike (status, body, Op-ID); the standby's event stream shows what the writer did, each change once and in
// order; a container the standby's store has not heard of yet is asked of the writer before a 404. And a writer
// whose lease cannot be renewed answers writes 503 `vsphere_unavailable` without sending them to vSphere.
import { describe, expect, it } from 'vitest'
import { leaseVmName } from '../../../src/container/writer/lease.js'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { simVms, statsDelta } from '../../helpers/sim-reads.js'
import { eventStream, rename, useTwoProcesses } from '../rename/support.js'

describe('a standby', () => {
  const w = useTwoProcesses()

  it('has its writes made by the writer, answered with the same status, body and Op-ID', async () => {
    expect([w.one.role, w.two.role]).toEqual(['writer', 'standby'])
    const made = await w.two.inject({ method: 'POST', url: '/v1/containers', payload: { name: 'via-standby' }, headers: { 'op-id': 'standby-create-1' } })
    expect(made.statusCode, made.body).toBe(201)
    expect(made.headers['op-id']).toBe('standby-create-1')
    const view = made.json() as ContainerView
    expect(view.displayName).toBe(`via-standby-${view.shortId}`)

    // the same refusal from either process
    await containersApi(() => w.one).created({ name: 'holder' })
    const fromWriter = await rename(w.one, view.id, 'holder')
    const fromStandby = await rename(w.two, view.id, 'holder')
    expect(fromStandby.status).toBe(409)
    expect(fromStandby.body).toEqual(fromWriter.body)
    const bad = await rename(w.two, view.id, '-bad')
    expect(bad.status).toBe(400)
    expect(bad.body?.code).toBe('invalid_name')
  })

  it('asks the writer about a container its store has not heard of yet, instead of answering 404', async () => {
    // created at the writer, asked of the standby at once by ID: its update loop may not have reported it yet
    for (let i = 0; i < 5; i++) {
      const c = await containersApi(() => w.one).created({ name: `fresh-${i}` })
      const seen = await containersApi(() => w.two).inspect(c.id)
      expect(seen.status, JSON.stringify(seen.body)).toBe(200)
      expect(seen.body.name).toBe(`fresh-${i}`)
    }
    expect((await containersApi(() => w.two).inspect('no-such-container')).status).toBe(404)
  })

  it('renames by ID a container the writer created a moment before, which its own store may not have heard of', async () => {
    for (let i = 0; i < 5; i++) {
      const c = await containersApi(() => w.one).created({ name: `moment-${i}` })
      const renamed = await rename(w.two, c.id, `moment-renamed-${i}`)
      expect(renamed.status, JSON.stringify(renamed.body)).toBe(204)
      expect((await containersApi(() => w.one).inspect(c.id)).body.name).toBe(`moment-renamed-${i}`)
    }
  })

  it('streams every change the writer made, each once, in order per container', async () => {
    const stream = await eventStream(w.two)
    try {
      const c = await containersApi(() => w.one).created({ name: 'storyteller' })
      expect((await containersApi(() => w.one).start(c.id)).status).toBe(204)
      expect((await rename(w.two, c.id, 'told')).status).toBe(204)
      expect((await containersApi(() => w.one).remove(c.id, true)).status).toBe(204)
      await eventually(() =>
        expect(stream.events.filter((e) => e.id === c.id).map((e) => (e.type === 'rename' ? `rename ${e.oldName}>${e.name}` : e.type))).toEqual([
          'create',
          'start',
          'rename storyteller>told',
          'stop',
          'remove',
        ]),
      )
    } finally {
      stream.close()
    }
  })
})

describe('a writer whose lease cannot be renewed', () => {
  const pl = usePortlayer({ config: { lease: { durationMs: 2_000, renewEveryMs: 500, watchEveryMs: 250, marginMs: 500 } } })

  it('answers writes 503 vsphere_unavailable and sends none, then writes again once it can renew', { timeout: 60_000 }, async () => {
    const api = containersApi(pl)
    await api.created({ name: 'before-outage' })
    const lease = (await simVms(pl().sim, { withLease: true })).find((vm) => vm.name === leaseVmName)
    expect(lease).toBeDefined()
    // vSphere refuses every renewal of the lease VM (as when it cannot be reached for it)
    await pl().sim.injectFault({ method: 'ReconfigVM_Task', vm: lease!.moref, fault: 'HostCommunication', count: -1 })
    // past the lease's duration since the last renewal, every write is refused before it is sent
    await eventually(async () => expect((await api.create({ name: 'during-outage' })).status).toBe(503), { timeoutMs: 20_000 })
    const before = await pl().sim.stats()
    const refused = await api.create({ name: 'refused' })
    expect(refused.status).toBe(503)
    expect(refused.body).toMatchObject({ code: 'vsphere_unavailable' })
    expect(refused.headers['retry-after']).toBeDefined()
    expect((await rename(pl(), 'before-outage', 'renamed-in-outage')).status).toBe(503)
    expect(statsDelta(before, await pl().sim.stats())['CreateVM_Task'] ?? 0).toBe(0)
    expect((await simVms(pl().sim)).some((vm) => vm.name.startsWith('refused-'))).toBe(false)

    await pl().sim.clearFaults()
    await eventually(async () => expect((await api.create({ name: 'after-outage' })).status).toBe(201), { timeoutMs: 20_000 })
    expect((await rename(pl(), 'before-outage', 'renamed-after')).status).toBe(204)
  })
})
