// The SOAP budget of a rename, counted by the simulator: an unlinked rename is one ReconfigVM_Task (display name and
// `common/name` together) and the read of its task; the writer decides the name in memory, so nothing grows with
// the folder. A linked rename writes a journal with the rename, re-points each linked container with its own
// reconfigure and task read, then removes the journal (after one read: the renamed VM's changeVersion changed).
// The store's WaitForUpdatesEx loop runs whatever happens and is counted apart; the lease gets a long duration, so
// that its renewals stay out of the counts.
import { describe, expect, it } from 'vitest'
import { leaseTimingsFor } from '../../../src/container/writer/lease.js'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { quietStats, statsDelta } from '../../helpers/sim-reads.js'
import { rename } from './support.js'

function withoutLoop(delta: Record<string, number>): Record<string, number> {
  const { WaitForUpdatesEx: _loop, ...rest } = delta
  return rest
}

describe('SOAP cost of a rename', () => {
  const pl = usePortlayer({ config: { lease: leaseTimingsFor(600_000) } })
  const api = containersApi(pl)

  it('costs the first rename of a process no more than any other', async () => {
    await api.created({ name: 'first' })
    const before = await quietStats(pl().sim)
    expect((await rename(pl(), 'first', 'first-renamed')).status).toBe(204)
    expect(withoutLoop(statsDelta(before, await pl().sim.stats()))).toEqual({ ReconfigVM_Task: 1, RetrievePropertiesEx: 1 })
  })

  it('costs 2 calls for an unlinked container, running or not', async () => {
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
        ReconfigVM_Task: 1,
        RetrievePropertiesEx: 1,
      })
    }
    expect((await api.inspect(created.id)).body.name).toBe('plain3')
  })

  it('costs at most 2 calls per unlinked rename over 50 renames at once', async () => {
    const made = await Promise.all(Array.from({ length: 50 }, (_, i) => api.created({ name: `many-${i}` })))
    const before = await quietStats(pl().sim)
    const replies = await Promise.all(made.map((c, i) => rename(pl(), c.id, `many-renamed-${i}`)))
    expect(replies.map((r) => r.status)).toEqual(made.map(() => 204))
    const { RetrievePropertiesEx: reads, ...writes } = withoutLoop(statsDelta(before, await quietStats(pl().sim)))
    expect(writes).toEqual({ ReconfigVM_Task: 50 })
    expect(reads).toBeLessThanOrEqual(50)
  })

  it('adds a reconfigure and its task read per linked container, and the journal', async () => {
    await api.created({ name: 'target', networks: { bridge: {} } })
    for (const n of [1, 2]) await api.created({ name: `linker${n}`, networks: { bridge: {} }, links: ['target:t'] })
    const before = await quietStats(pl().sim)
    expect((await rename(pl(), 'target', 'target2')).status).toBe(204)
    expect(withoutLoop(statsDelta(before, await quietStats(pl().sim)))).toEqual({
      ReconfigVM_Task: 4,
      RetrievePropertiesEx: 5,
    })
  })
})
