// The SOAP budget of a create, counted by the simulator itself: CreateVM_Task, one read that is both the read of
// the task and the cross-process name check (src/container/rename/cross-process.ts), and the removal of the
// pending-name journal (ReconfigVM_Task, not awaited: the client is answered after 2 round trips). The datastore's
// vSAN type is known from start-up. The store's WaitForUpdatesEx loop runs whether or not anyone creates; its
// calls are counted apart, and it must not add a read of its own.
import { describe, expect, it } from 'vitest'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { quietStats, statsDelta } from '../../helpers/sim-reads.js'

const loopMethod = 'WaitForUpdatesEx'

function withoutLoop(delta: Record<string, number>): Record<string, number> {
  const { [loopMethod]: _loop, ...rest } = delta
  return rest
}

function createCosts(pl: () => Portlayer, datastore: string): void {
  const api = containersApi(pl)

  it(`costs CreateVM_Task, one read and the journal removal on ${datastore}, and nothing more once the store has heard of it`, async () => {
    const before = await quietStats(pl().sim)
    const c = await api.created({ name: `costed-${datastore.toLowerCase().replace(/_/g, '-')}` })
    expect(c.vm.datastore).toBe(datastore)
    expect(withoutLoop(statsDelta(before, await pl().sim.stats()))).toEqual({
      CreateVM_Task: 1,
      ReconfigVM_Task: 1,
      RetrievePropertiesEx: 1,
    })

    // once the loop has reported the VM and parked again: it needed no read to confirm the create or the removal
    const after = statsDelta(before, await quietStats(pl().sim))
    expect(withoutLoop(after)).toEqual({ CreateVM_Task: 1, ReconfigVM_Task: 1, RetrievePropertiesEx: 1 })
    expect(after[loopMethod] ?? 0).toBeLessThanOrEqual(2)
  })

  it(`costs 3 calls per create in a burst of 10 on ${datastore}, however far the store lags`, async () => {
    const before = await quietStats(pl().sim)
    for (let i = 0; i < 10; i++) await api.created({})
    const { RetrievePropertiesEx: reads, ...writes } = withoutLoop(statsDelta(before, await pl().sim.stats()))
    expect(writes).toEqual({ CreateVM_Task: 10, ReconfigVM_Task: 10 })
    // the check reads every container's name and journal itself, so a container the store has not heard of yet
    // (the previous create's) costs no read of its own. The store may still read a VM once when its loop answered
    // a wait sent after a journal removal went out but before it ran (the removal is not awaited).
    expect(reads).toBeGreaterThanOrEqual(10)
    expect(reads).toBeLessThanOrEqual(12)
  })
}

describe('SOAP cost of a create, local datastore', () => {
  const pl = usePortlayer()
  createCosts(pl, 'LocalDS_0')
})

describe('SOAP cost of a create, vSAN datastore', () => {
  const pl = usePortlayer({ sim: { vsan: true }, config: { datastore: 'vsanDatastore' } })
  createCosts(pl, 'vsanDatastore')
})
