// The SOAP budget of a create (DESIGN: 2 calls — CreateVM_Task and one read of the task; the datastore's vSAN type
// is known from start-up), counted by the simulator itself. The store's WaitForUpdatesEx loop runs whether or
// not anyone creates; its calls are counted apart, and it must not add a read of its own.
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

  it(`costs CreateVM_Task and one task read on ${datastore}, and nothing more once the store has heard of it`, async () => {
    const before = await quietStats(pl().sim)
    const c = await api.created({ name: `costed-${datastore.toLowerCase().replace(/_/g, '-')}` })
    expect(c.vm.datastore).toBe(datastore)
    expect(withoutLoop(statsDelta(before, await pl().sim.stats()))).toEqual({ CreateVM_Task: 1, RetrievePropertiesEx: 1 })

    // once the loop has reported the VM and parked again: it needed no read to confirm the create
    const after = statsDelta(before, await quietStats(pl().sim))
    expect(withoutLoop(after)).toEqual({ CreateVM_Task: 1, RetrievePropertiesEx: 1 })
    expect(after[loopMethod] ?? 0).toBeLessThanOrEqual(2)
  })

  it(`costs 2 calls per create in a burst of 10 on ${datastore}`, async () => {
    const before = await quietStats(pl().sim)
    for (let i = 0; i < 10; i++) await api.created({})
    expect(withoutLoop(statsDelta(before, await pl().sim.stats()))).toEqual({ CreateVM_Task: 10, RetrievePropertiesEx: 10 })
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
