// Sessions and outages under a running service: vCenter ends sessions left idle, and vSphere can vanish for a
// while. Neither may surface as a failed request: an expired session is logged in again behind the caller, and
// an unreachable vSphere gives 503 vsphere_unavailable with Retry-After, then the service recovers by itself,
// without a restart.
import { describe, expect, it } from 'vitest'
import { containersApi, type ApiReply } from '../../helpers/containers-api.js'
import { RawSoap } from '../../helpers/raw-soap.js'
import { eventually } from '../../helpers/eventually.js'
import { rename } from '../rename/support.js'
import { expectConsistent, expectDefinite, useProxiedPortlayer } from './support.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function expectUnavailable(res: ApiReply<unknown>, what: string): void {
  expectDefinite(res, what)
  expect(res.status, what).toBe(503)
}

describe('sessions that vSphere expires after 2 s idle', () => {
  const p = useProxiedPortlayer({ sim: { sessionIdleTimeout: '2s' } })
  const api = containersApi(() => p().pl)

  it('fail no request of a steady load spaced past the idle timeout', async () => {
    const loginsBefore = (await p().sim.stats())['Login'] ?? 0
    // a client of its own that stays idle: proof that the simulator does end idle sessions
    const idle = await RawSoap.connect(p().sim.url, p().sim.username, p().sim.password)
    const replies: Array<[string, ApiReply<unknown>]> = []
    const step = async (what: string, call: () => Promise<ApiReply<unknown>>): Promise<void> => {
      replies.push([what, await call()])
    }
    await step('create', () => api.create({ name: 'idle-a' }))
    await sleep(2_500)
    const dc = { type: 'Datacenter', value: p().sim.inventory.datacenters[0]?.moref ?? '' }
    const expired = await idle.retrieve(dc, ['name']).finally(() => idle.close())
    expect(expired.text).toContain('NotAuthenticated')
    await step('start', () => api.start('idle-a'))
    await step('inspect', () => api.inspect('idle-a'))
    await sleep(2_500)
    await step('rename', () => rename(p().pl, 'idle-a', 'idle-b'))
    await step('stop', () => api.stop('idle-b'))
    await sleep(1_200)
    await step('create again', () => api.create({ name: 'idle-c' }))
    await step('remove', () => api.remove('idle-c'))
    await step('list', () => api.list(true))
    for (const [what, res] of replies) expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(300)
    const logins = ((await p().sim.stats())['Login'] ?? 0) - loginsBefore
    console.info(JSON.stringify({ sessionIdleTimeout: '2s', requests: replies.length, loginsDuringLoad: logins }))
    await expectConsistent(p(), (await api.list(true)).body)
  })
})

describe('vSphere unreachable for a while', () => {
  const p = useProxiedPortlayer()
  const api = containersApi(() => p().pl)

  it('answers 503 vsphere_unavailable with Retry-After, then recovers without a restart', async () => {
    await api.created({ name: 'before-outage' })
    p().proxy.down()

    expectUnavailable(await api.create({ name: 'during-outage' }), 'create')
    expectUnavailable(await api.start('before-outage'), 'start')
    expectUnavailable(await rename(p().pl, 'before-outage', 'renamed-in-outage'), 'rename')
    // reads are served from the cache until its update loop notices it has lost vSphere
    await eventually(async () => expectUnavailable(await api.list(true), 'list'), { timeoutMs: 20_000 })
    expect((await p().pl.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503)

    p().proxy.up()
    await eventually(async () => expect((await api.list(true)).status).toBe(200), { timeoutMs: 20_000 })
    expect((await p().pl.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
    const created = await api.create({ name: 'after-outage' })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect((await api.start('before-outage')).status).toBe(204)
    expect((await rename(p().pl, 'before-outage', 'renamed-after')).status).toBe(204)
    expect(p().proxy.counts.refused).toBeGreaterThan(0)
    const inSim = await expectConsistent(p(), (await api.list(true)).body)
    expect(inSim.map((c) => c.containerName).sort()).toEqual(['after-outage', 'renamed-after'])
  })
})
