// The fault proxy itself, so the resilience tests can trust what it says it did: a dropped request never reaches
// the simulator, a reset one does, a slow answer still arrives whole, and one seed draws the same faults again.
import { afterEach, describe, expect, it } from 'vitest'
import { FaultProxy } from '../../helpers/fault-proxy.js'
import { useSim } from '../../helpers/govcsim.js'
import { statsDelta } from '../../helpers/sim-reads.js'
import { connectTo } from '../vim/support.js'
import type { VimClient } from '../../../src/vim/index.js'

const sim = useSim()
let proxy: FaultProxy | undefined
let client: VimClient | undefined

afterEach(async () => {
  await client?.close()
  await proxy?.stop()
})

async function through(): Promise<{ proxy: FaultProxy; client: VimClient }> {
  proxy = await FaultProxy.start(sim().url, { slowMs: 50 })
  // no retries: each call is one request, so what the proxy did shows one for one
  client = await connectTo(sim(), { url: proxy.url, timeoutMs: 2_000, retry: { retries: 0 } })
  return { proxy, client }
}

describe('the fault proxy', () => {
  it('drops a request before the simulator sees it, resets one after, and passes a slow one whole', async () => {
    const { proxy, client } = await through()
    const before = await sim().stats()
    proxy.breakMethod('CurrentTime', 'drop')
    await expect(client.ping()).rejects.toMatchObject({ reason: 'reset' })
    expect(statsDelta(before, await sim().stats())).toEqual({})
    proxy.breakMethod('CurrentTime', 'reset')
    await expect(client.ping()).rejects.toMatchObject({ reason: 'reset' })
    expect(statsDelta(before, await sim().stats())).toEqual({ CurrentTime: 1 })
    proxy.breakMethod('CurrentTime', 'slow')
    expect(await client.ping()).toBeInstanceOf(Date)
    expect(proxy.broken).toEqual([
      { method: 'CurrentTime', fault: 'drop' },
      { method: 'CurrentTime', fault: 'reset' },
      { method: 'CurrentTime', fault: 'slow' },
    ])
  })

  it('draws the same faults from the same seed', async () => {
    const draw = async (): Promise<string[]> => {
      const { proxy, client } = await through()
      proxy.random({ probability: 0.3, seed: 7, faults: ['drop', 'slow'] })
      const outcomes: string[] = []
      for (let i = 0; i < 30; i++) outcomes.push(await client.ping().then(() => 'ok', () => 'failed'))
      await client.close()
      await proxy.stop()
      return outcomes
    }
    const first = await draw()
    expect(first).toContain('failed')
    expect(first).toContain('ok')
    expect(await draw()).toEqual(first)
  })
})
