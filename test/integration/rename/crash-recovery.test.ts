// A rename whose process is killed (SIGKILL) after the renamed VM committed, while a linked container still names
// the old name: the next start finds the journal on the VM and finishes the rename before it serves. The service
// runs as a child process; everything is checked in the simulator with the raw SOAP client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { journalKey, readJournal } from '../../../src/container/rename/journal.js'
import type { ContainerView } from '../../../src/container/types.js'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { eventually } from '../../helpers/eventually.js'
import { startSim } from '../../helpers/govcsim.js'
import { spawnPortlayer, type PortlayerProcess } from '../../helpers/portlayer-process.js'
import { RawSoap, type MoRef } from '../../helpers/raw-soap.js'
import { readVm } from '../../helpers/sim-reads.js'

const vmRef = (c: ContainerView): MoRef => ({ type: 'VirtualMachine', value: c.vm.moref })

describe('a rename interrupted by SIGKILL', () => {
  let sim: Govcsim
  let soap: RawSoap
  const children: PortlayerProcess[] = []

  beforeAll(async () => {
    sim = await startSim()
    soap = await RawSoap.connect(sim.url, sim.username, sim.password)
  })

  afterAll(async () => {
    for (const child of children) await child.kill('SIGKILL')
    soap?.close()
    await sim?.stop()
  })

  async function spawn(): Promise<PortlayerProcess> {
    const child = await spawnPortlayer(sim)
    children.push(child)
    return child
  }

  it('is finished by the next start, before it serves', async () => {
    const first = await spawn()
    const create = async (body: object) => {
      const res = await first.request('POST', '/v1/containers', body)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return res.body as ContainerView
    }
    const db = await create({ name: 'db', networks: { bridge: {} } })
    const web = await create({ name: 'web', networks: { bridge: {} }, links: ['db:store'] })

    // the linked container's reconfigure fails (and is retried, with backoff) until the fault is cleared, which
    // holds the rename between its two steps long enough to kill the process there
    await sim.injectFault({ method: 'ReconfigVM_Task', vm: web.vm.moref, fault: 'HostCommunication', count: -1 })
    const pending = first.request('POST', '/v1/containers/db/rename?name=database').catch(() => undefined)
    const journal = await eventually(
      async () => {
        const j = readJournal((await readVm(soap, vmRef(db))).extraConfig)
        if (!j) throw new Error('no journal on the renamed VM yet')
        return j
      },
      { intervalMs: 5 },
    )
    await first.kill('SIGKILL')
    await pending
    await sim.clearFaults()

    // killed between the steps: renamed VM committed, linked container untouched
    expect(journal).toMatchObject({ oldName: 'db', newName: 'database', linked: [web.id], state: 'pending' })
    const killed = await readVm(soap, vmRef(db))
    expect(killed.name).toBe(`database-${db.shortId}`)
    expect(killed.extraConfig.get('common/name')).toBe('database')
    expect((await readVm(soap, vmRef(web))).extraConfig.get('hostconfig/links~')).toBe('db:store')

    const second = await spawn()
    // it listens only after recovery: the simulator already shows the rename finished
    const renamed = await readVm(soap, vmRef(db))
    expect(renamed.name).toBe(`database-${db.shortId}`)
    expect(renamed.extraConfig.get('common/name')).toBe('database')
    expect(renamed.extraConfig.has(journalKey)).toBe(false)
    const linked = await readVm(soap, vmRef(web))
    expect(linked.extraConfig.get('hostconfig/links~')).toBe('database:store')
    expect(linked.extraConfig.get('networks|bridge/network/aliases~')).toBe('database:store')
    expect(second.logs().some((l) => l['msg'] === 'finished an interrupted rename')).toBe(true)

    const view = await second.request('GET', '/v1/networks/bridge')
    expect(view.status).toBe(200)
    const endpoints = (view.body as { endpoints: Array<{ container: string; names: string[]; links: Record<string, string> }> })
      .endpoints
    expect(endpoints.find((e) => e.container === 'web')?.links).toEqual({ store: 'database' })
    expect(endpoints.find((e) => e.container === 'database')?.names).toEqual(['database', db.shortId])
    expect(endpoints.some((e) => e.names.includes('db'))).toBe(false)
  })
})
