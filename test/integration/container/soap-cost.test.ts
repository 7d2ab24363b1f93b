// The SOAP budget of a create, counted by the simulator itself: CreateVM_Task and one read of its task, whatever
// the folder holds — the writer decides the name in memory. The datastore's vSAN type is known from start-up. The
// store's WaitForUpdatesEx loop runs whether or not anyone creates; its calls are counted apart, and it must not add
// a read of its own. The writer lease renews itself on its own clock; these tests give it a long one, so that its
// renewals stay out of the counts.
import { describe, expect, it } from 'vitest'
import { leaseTimingsFor } from '../../../src/container/writer/lease.js'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { quietStats, statsDelta } from '../../helpers/sim-reads.js'

const loopMethod = 'WaitForUpdatesEx'
const longLease = { lease: leaseTimingsFor(600_000) }

function withoutLoop(delta: Record<string, number>): Record<string, number> {
  const { [loopMethod]: _loop, ...rest } = delta
  return rest
}

function createCosts(pl: () => Portlayer, datastore: string): void {
  const api = containersApi(pl)

  it(`costs CreateVM_Task and one read on ${datastore}, and nothing more once the store has heard of it`, async () => {
    const before = await quietStats(pl().sim)
    const c = await api.created({ name: `costed-${datastore.toLowerCase().replace(/_/g, '-')}` })
    expect(c.vm.datastore).toBe(datastore)
    expect(withoutLoop(statsDelta(before, await pl().sim.stats()))).toEqual({ CreateVM_Task: 1, RetrievePropertiesEx: 1 })

    // once the loop has reported the VM and parked again: it needed no read to confirm the create
    const after = statsDelta(before, await quietStats(pl().sim))
    expect(withoutLoop(after)).toEqual({ CreateVM_Task: 1, RetrievePropertiesEx: 1 })
    expect(after[loopMethod] ?? 0).toBeLessThanOrEqual(2)
  })

  it(`costs at most 2 calls per create over 50 creates on ${datastore}, however far the store lags`, async () => {
    const before = await quietStats(pl().sim)
    await Promise.all(Array.from({ length: 50 }, () => api.created({})))
    const { RetrievePropertiesEx: reads, ...writes } = withoutLoop(statsDelta(before, await quietStats(pl().sim)))
    expect(writes).toEqual({ CreateVM_Task: 50 })
    expect(reads).toBeLessThanOrEqual(50)
  })
}

describe('SOAP cost of a create, local datastore', () => {
  const pl = usePortlayer({ config: longLease })
  createCosts(pl, 'LocalDS_0')
})

describe('SOAP cost of a create, vSAN datastore', () => {
  const pl = usePortlayer({ sim: { vsan: true }, config: { datastore: 'vsanDatastore', ...longLease } })
  createCosts(pl, 'vsanDatastore')
})
