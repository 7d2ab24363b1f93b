// vSphere going away under a running service: the simulator is stopped half way through this file. From then on
// every container route answers 503 `vsphere_unavailable` with Retry-After (reads too, once the store's update
// loop has lost vSphere: its cache can no longer be trusted), readyz says not ready, and healthz still answers
// (the process itself is fine).
import { beforeAll, describe, expect, it } from 'vitest'
import { containersApi, type ApiReply } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { usePortlayer } from '../../helpers/portlayer.js'

function expectUnavailable(res: ApiReply<unknown>, what: string): void {
  expect(res.status, what).toBe(503)
  expect((res.body as { code?: string } | undefined)?.code, what).toBe('vsphere_unavailable')
  expect(Number(res.headers['retry-after']), what).toBeGreaterThan(0)
}

describe('vSphere unreachable', () => {
  const pl = usePortlayer()
  const api = containersApi(pl)

  beforeAll(async () => {
    await api.created({ name: 'stopped-one' })
    await api.created({ name: 'running-one' })
    await api.start('running-one')
  })

  it('is ready while the simulator runs', async () => {
    const res = await pl().inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect((await api.list(true)).status).toBe(200)
  })

  it('answers 503 vsphere_unavailable with Retry-After to every change once the simulator is gone', async () => {
    await pl().sim.stop()
    expect((await pl().sim.exited).code).toBe(0)

    expectUnavailable(await api.create({ name: 'too-late' }), 'create')
    expectUnavailable(await api.start('stopped-one'), 'start')
    expectUnavailable(await api.stop('running-one'), 'stop')
    expectUnavailable(await api.remove('stopped-one'), 'remove')
  })

  it('answers 503 to reads too, once the store has lost vSphere', async () => {
    await eventually(async () => {
      expectUnavailable(await api.list(true), 'list')
      expectUnavailable(await api.inspect('stopped-one'), 'inspect')
      expectUnavailable(await api.list(), 'list running')
    }, { timeoutMs: 15_000 })
    const res = await pl().inject({ method: 'GET', url: '/v1/networks/bridge' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toMatchObject({ code: 'vsphere_unavailable' })
  })

  it('is not ready (503 with Retry-After) but still healthy', async () => {
    const ready = await pl().inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({ code: 'vsphere_unavailable' })
    expect(Number(ready.headers['retry-after'])).toBeGreaterThan(0)
    const health = await pl().inject({ method: 'GET', url: '/healthz' })
    expect(health.statusCode).toBe(200)
  })
})
