// The SOAP budget of a rename, counted by the simulator: an unlinked rename costs 3 calls (the claim's
// ReconfigVM_Task, one RetrievePropertiesEx that reads the claim's task and checks the name across processes,
// the journal removal's ReconfigVM_Task); each linked container adds its reconfigure and task read. The store's
// WaitForUpdatesEx loop runs whatever happens and is counted apart; the check reads the folder through a traversal,
// so it keeps no view.
import { describe, expect, it } from 'vitest'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { quietStats, statsDelta } from '../../helpers/sim-reads.js'
import { rename } from './support.js'

function withoutLoop(delta: Record<string, number>): Record<string, number> {
  const { WaitForUpdatesEx: _loop, ...rest } = delta
  return rest
}

describe('SOAP cost of a rename', () => {
  const pl = usePortlayer()
  const api = containersApi(pl)

  it('costs the first rename of a process no more than any other', async () => {
    await api.created({ name: 'first' })
    const before = await quietStats(pl().sim)
    expect((await rename(pl(), 'first', 'first-renamed')).status).toBe(204)
    expect(withoutLoop(statsDelta(before, await pl().sim.stats()))).toEqual({
      ReconfigVM_Task: 2,
      RetrievePropertiesEx: 1,
    })
  })

  it('costs 3 calls for an unlinked container, running or not', async () => {
    const created = await api.created({ name: 'plain' })
    const running = await api.created({ name: 'busy' })
    expect((await api.start(running.id)).status).toBe(204)
    for (const [from, to] of [
      ['plain', 'plain2'],
      ['busy', 'busy2'],
      ['plain2', 'plain3'],
    ]) {
      const before = await quietStats(pl().sim)
      expect((await rename(pl(), from!, to!)).status).toBe(204)
      expect(withoutLoop(statsDelta(before, await quietStats(pl().sim))), `${from} → ${to}`).toEqual({
        ReconfigVM_Task: 2,
        RetrievePropertiesEx: 1,
      })
    }
    expect((await api.inspect(created.id)).body.name).toBe('plain3')
  })

  it('adds a reconfigure and its task read per linked container', async () => {
    await api.created({ name: 'target', networks: { bridge: {} } })
    for (const n of [1, 2]) await api.created({ name: `linker${n}`, networks: { bridge: {} }, links: ['target:t'] })
    const before = await quietStats(pl().sim)
    expect((await rename(pl(), 'target', 'target2')).status).toBe(204)
    expect(withoutLoop(statsDelta(before, await quietStats(pl().sim)))).toEqual({
      ReconfigVM_Task: 4,
      RetrievePropertiesEx: 3,
    })
  })
})
