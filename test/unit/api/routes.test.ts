import { describe, expect, it } from 'vitest'
import { testApp } from './helpers/app.js'
import { sampleNetwork, sampleView } from './helpers/recording-service.js'

const op = { opId: expect.any(String) }

describe('container routes call the service with what the client sent', () => {
  it('GET /v1/containers lists running containers; ?all=true lists all', async () => {
    const { app, rec } = testApp()
    const running = await app.inject({ method: 'GET', url: '/v1/containers' })
    expect(running.statusCode).toBe(200)
    expect(running.json()).toHaveLength(2)
    expect(running.json()[0]).toEqual(sampleView())
    await app.inject({ method: 'GET', url: '/v1/containers?all=true' })
    await app.inject({ method: 'GET', url: '/v1/containers?all=1' })
    await app.inject({ method: 'GET', url: '/v1/containers?all=false' })
    expect(rec.calls.map((c) => c.args[0])).toEqual([false, true, true, false])
  })

  it('GET /v1/containers/{ref} inspects by ID, prefix or name', async () => {
    const { app, rec } = testApp()
    const longest = 'n'.repeat(255)
    for (const ref of ['4a1b'.padEnd(64, '0'), '4a1b', 'web', longest]) {
      const res = await app.inject({ method: 'GET', url: `/v1/containers/${ref}` })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual(sampleView())
    }
    expect(rec.calls).toEqual([
      { method: 'inspect', args: ['4a1b'.padEnd(64, '0'), op] },
      { method: 'inspect', args: ['4a1b', op] },
      { method: 'inspect', args: ['web', op] },
      { method: 'inspect', args: [longest, op] },
    ])
  })

  it('only the contract fields of a container reach the client', async () => {
    const { app, rec } = testApp()
    rec.service.inspect = async () => ({ ...sampleView(), password: 'vc-secret', extraConfig: { a: 'b' } }) as never
    const res = await app.inject({ method: 'GET', url: '/v1/containers/web' })
    expect(res.json()).toEqual(sampleView())
    expect(res.body).not.toContain('vc-secret')
  })

  it('start, stop (?timeout) and remove (?force) answer 204 with no body', async () => {
    const { app, rec } = testApp()
    const answers = await Promise.all([
      app.inject({ method: 'POST', url: '/v1/containers/web/start' }),
      app.inject({ method: 'POST', url: '/v1/containers/web/stop' }),
      app.inject({ method: 'POST', url: '/v1/containers/web/stop?timeout=30' }),
      app.inject({ method: 'DELETE', url: '/v1/containers/web' }),
      app.inject({ method: 'DELETE', url: '/v1/containers/web?force=true' }),
    ])
    for (const res of answers) {
      expect(res.statusCode).toBe(204)
      expect(res.body).toBe('')
    }
    expect(rec.calls).toEqual([
      { method: 'start', args: ['web', op] },
      { method: 'stop', args: ['web', {}, op] },
      { method: 'stop', args: ['web', { timeout: 30 }, op] },
      { method: 'remove', args: ['web', {}, op] },
      { method: 'remove', args: ['web', { force: true }, op] },
    ])
  })

  it('POST /v1/containers/{ref}/rename?name= renames', async () => {
    const { app, rec } = testApp()
    const res = await app.inject({ method: 'POST', url: '/v1/containers/web/rename?name=web2' })
    expect(res.statusCode).toBe(204)
    expect(rec.calls).toEqual([{ method: 'rename', args: ['web', 'web2', op] }])
  })

  it('GET /v1/networks/{net} shows who answers to which name', async () => {
    const { app, rec } = testApp()
    const res = await app.inject({ method: 'GET', url: '/v1/networks/bridge' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual(sampleNetwork)
    expect(rec.calls).toEqual([{ method: 'network', args: ['bridge', op] }])
  })
})

describe('health', () => {
  it('/healthz answers without asking vSphere', async () => {
    const { app, rec } = testApp()
    rec.setReady(false)
    const res = await app.inject({ method: 'GET', url: '/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ status: 'ok', version: expect.any(String) })
  })

  it('/readyz is 200 while vSphere answers', async () => {
    const { app } = testApp()
    const res = await app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ready' })
  })

  it.each([
    ['reports not ready', false],
    ['fails', new Error('ECONNREFUSED')],
  ])('/readyz is 503 vsphere_unavailable with Retry-After when the check %s', async (_what, ready) => {
    const { app, rec } = testApp()
    rec.setReady(ready)
    const res = await app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(503)
    expect(res.json().code).toBe('vsphere_unavailable')
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
  })
})
