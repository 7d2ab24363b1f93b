// Journals a dead process left behind, written straight into the simulator with raw SOAP (as a process killed
// between the steps would have left them), and what portlayer makes of them: at start it finishes a rename whose
// new name is still free and undoes one whose new name another container holds for good; while running, it
// settles such a journal before renaming that container again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatJournal, journalKey, readJournal, type RenameJournal } from '../../../src/container/rename/journal.js'
import type { ContainerView } from '../../../src/container/types.js'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { startSim } from '../../helpers/govcsim.js'
import { startPortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { RawSoap, type MoRef } from '../../helpers/raw-soap.js'
import { readVm } from '../../helpers/sim-reads.js'
import { rename } from './support.js'

const vmRef = (c: ContainerView): MoRef => ({ type: 'VirtualMachine', value: c.vm.moref })

describe('journals left by a dead process', () => {
  let sim: Govcsim
  let soap: RawSoap
  let pl: Portlayer | undefined
  const api = containersApi(() => pl!)

  beforeAll(async () => {
    sim = await startSim()
    soap = await RawSoap.connect(sim.url, sim.username, sim.password)
  })

  afterAll(async () => {
    await pl?.close()
    soap?.close()
    await sim?.stop()
  })

  /** What a claim leaves on the VM: the new names and a journal, as one reconfigure writes them. */
  async function leaveClaim(c: ContainerView, newName: string, journal: Omit<RenameJournal, 'newName' | 'claim'>): Promise<void> {
    const value = formatJournal({ ...journal, newName, claim: `dead-${c.shortId}` })
    const outcome = await soap.task(
      soap.reconfigure(vmRef(c), {
        name: `${newName}-${c.shortId}`,
        extraConfig: [
          ['common/name', newName],
          [journalKey, value],
        ],
      }),
    )
    expect(outcome.state, outcome.xml).toBe('success')
  }

  it('are settled at start: finished when the new name is free, undone when it is taken', async () => {
    pl = await startPortlayer({ existingSim: sim })
    const free = await api.created({ name: 'free-old' })
    const clash = await api.created({ name: 'clash-old' })
    const decided = await api.created({ name: 'won-old', networks: { bridge: {} } })
    const linked = await api.created({ name: 'follower', networks: { bridge: {} }, links: ['won-old:w'] })
    const holder = await api.created({ name: 'taken' })
    await pl.close()
    pl = undefined

    await leaveClaim(free, 'free-new', { oldName: 'free-old', linked: [], state: 'pending' })
    await leaveClaim(clash, 'taken', { oldName: 'clash-old', linked: [], state: 'pending' })
    await leaveClaim(decided, 'won-new', { oldName: 'won-old', linked: [linked.id], state: 'won' })

    pl = await startPortlayer({ existingSim: sim })
    const facts = async (c: ContainerView) => readVm(soap, vmRef(c))

    const finished = await facts(free)
    expect(finished.name).toBe(`free-new-${free.shortId}`)
    expect(finished.extraConfig.get('common/name')).toBe('free-new')
    expect(finished.extraConfig.has(journalKey)).toBe(false)

    const undone = await facts(clash)
    expect(undone.name).toBe(`clash-old-${clash.shortId}`)
    expect(undone.extraConfig.get('common/name')).toBe('clash-old')
    expect(undone.extraConfig.has(journalKey)).toBe(false)
    expect((await facts(holder)).extraConfig.get('common/name')).toBe('taken')

    const won = await facts(decided)
    expect(won.extraConfig.get('common/name')).toBe('won-new')
    expect(won.extraConfig.has(journalKey)).toBe(false)
    expect((await facts(linked)).extraConfig.get('hostconfig/links~')).toBe('won-new:w')

    for (const [c, name] of [
      [free, 'free-new'],
      [clash, 'clash-old'],
      [decided, 'won-new'],
    ] as const)
      expect((await api.inspect(c.id)).body.name).toBe(name)
  })

  it('is settled before the container is renamed again', async () => {
    pl ??= await startPortlayer({ existingSim: sim })
    const c = await api.created({ name: 'again-old' })
    await leaveClaim(c, 'again-mid', { oldName: 'again-old', linked: [], state: 'pending' })
    // the service hears of it through its update loop
    await eventually(async () => expect((await api.inspect(c.id)).body.name).toBe('again-mid'))

    const res = await rename(pl, c.id, 'again-new')
    expect(res.status, JSON.stringify(res.body)).toBe(204)
    const after = await readVm(soap, vmRef(c))
    expect(after.extraConfig.get('common/name')).toBe('again-new')
    expect(after.name).toBe(`again-new-${c.shortId}`)
    expect(readJournal(after.extraConfig)).toBeUndefined()
  })
})
