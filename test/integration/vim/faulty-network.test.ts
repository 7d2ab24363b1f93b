// The client between a broken network and the simulator: a proxy resets or stalls chosen answers after the
// request has reached the server, so the client cannot know whether the call ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { VimUnreachable, type VimClient } from '../../../src/vim/index.js'
import { connectTo, datacenterRefs, delta, FaultyProxy, type DatacenterRefs } from './support.js'

const sim = useSim()
const raw = useRawSoap(sim)
let proxy: FaultyProxy
let client: VimClient
let refs: DatacenterRefs

beforeAll(async () => {
  proxy = await FaultyProxy.start(sim().url)
  client = await connectTo(sim(), { url: proxy.url, timeoutMs: 2_000, retry: { minTimeoutMs: 10, maxTimeoutMs: 50 } })
  refs = datacenterRefs(sim())
})
afterAll(async () => {
  await client?.close()
  await proxy?.stop()
})

describe('a connection lost after the request reached vSphere', () => {
  it('is sent again for an idempotent read, which then succeeds', async () => {
    proxy.breakNext('reset')
    const before = await sim().stats()
    const found = await client.findByInventoryPath(`/${refs.dc.name}/vm`)
    expect(found?.value).toBe(refs.dc.vmFolder)
    expect(delta(before, await sim().stats())).toEqual({ FindByInventoryPath: 2 })
  })

  it('is not sent again for a CreateVM_Task: the caller learns vSphere is unreachable, the VM exists once', async () => {
    proxy.breakNext('reset')
    const before = await sim().stats()
    const err = await client
      .createVM(
        refs.vmFolder,
        { name: 'maybe', guestId: 'otherGuest', files: { vmPathName: `[${refs.datastore}] maybe/maybe.vmx` } },
        refs.pool,
      )
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VimUnreachable)
    expect((err as VimUnreachable).reason).toBe('reset')
    expect(delta(before, await sim().stats())).toEqual({ CreateVM_Task: 1 })
    // an independent look: the call did run
    const searchIndex = { type: 'SearchIndex', value: 'SearchIndex' }
    const vm = await raw().call('FindByInventoryPath', searchIndex, `<inventoryPath>/${refs.dc.name}/vm/maybe</inventoryPath>`)
    expect(vm.text).toContain('type="VirtualMachine"')
  })

  it('times out a call that gets no answer, as unreachable', async () => {
    proxy.breakNext('stall', 'stall', 'stall', 'stall')
    const err = await client.ping({ timeoutMs: 200 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VimUnreachable)
    expect((err as VimUnreachable).reason).toBe('timeout')
    // and the client works again once the network does
    expect(await client.ping()).toBeInstanceOf(Date)
  })
})
