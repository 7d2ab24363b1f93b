// The service's guards against misuse, checked on a real composed service: the bearer token closes every route
// but `/healthz` (the routes are read from the OpenAPI document, so a new route is covered without editing this
// file), the REST server listens on loopback unless told otherwise, request bodies are bounded, and the vim25
// client never has more SOAP calls in flight than its bound (counted on the wire by a proxy in front of govcsim).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, Secret } from '../../../src/config.js'
import { connect } from '../../../src/vim/index.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { startCountingProxy, type CountingProxy } from './counting-proxy.js'

const token = 'guard-test-token-7d1c'
const pl = usePortlayer({ config: { token: new Secret(token) } })
const bearer = { authorization: `Bearer ${token}` }

type Method = 'GET' | 'POST' | 'DELETE'

async function documentedRoutes(): Promise<Array<{ method: Method; url: string }>> {
  const res = await pl().inject({ method: 'GET', url: '/openapi.json', headers: bearer })
  expect(res.statusCode).toBe(200)
  const doc = res.json() as { paths: Record<string, Record<string, unknown>> }
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => ({ method: m.toUpperCase() as Method, url: path.replace(/\{[^}]+\}/g, 'some-ref') })),
  )
}

describe('the bearer token', () => {
  it('is required on every documented route but /healthz, and a wrong one is refused the same way', async () => {
    const routes = await documentedRoutes()
    expect(routes.length).toBeGreaterThan(10)
    for (const { method, url } of routes) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${token}` }, { authorization: `Bearer ${token}x` }]) {
        const res = await pl().inject({ method, url, headers, ...(method === 'POST' ? { payload: {} } : {}) })
        if (url === '/healthz') {
          expect(res.statusCode, `${method} ${url}`).toBe(200)
        } else {
          expect(res.statusCode, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401)
          expect(res.json()).toMatchObject({ code: 'unauthorized' })
        }
      }
    }
  })

  it('also guards paths no route serves, so the route table is not revealed', async () => {
    const res = await pl().inject({ method: 'GET', url: '/v1/nothing-here' })
    expect(res.statusCode).toBe(401)
  })

  it('lets the right token through', async () => {
    const res = await pl().inject({ method: 'GET', url: '/v1/containers', headers: bearer })
    expect(res.statusCode).toBe(200)
  })
})

describe('exposure and size limits', () => {
  it('listens on loopback unless an address is given', async () => {
    const config = await loadConfig({}, {})
    expect(config.listen.host).toBe('127.0.0.1')
  })

  it('refuses a request body over the limit with 413 payload_too_large before it reaches vSphere', async () => {
    await pl().sim.resetStats()
    const annotations = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'v'.repeat(4000)]))
    const res = await pl().inject({ method: 'POST', url: '/v1/containers', headers: bearer, payload: { name: 'big', annotations } })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toMatchObject({ code: 'payload_too_large' })
    expect(await pl().sim.stats()).toEqual({})
  })
})

describe('concurrent SOAP calls', () => {
  let proxy: CountingProxy
  beforeAll(async () => {
    proxy = await startCountingProxy(pl().sim.url)
  })
  afterAll(async () => {
    await proxy?.close()
  })

  it('never exceed maxConcurrent at the simulator, however many callers there are', async () => {
    const { username, password } = pl().sim
    const client = await connect({ url: proxy.url, username, password, maxConcurrent: 4, keepAliveMs: 0 })
    try {
      proxy.resetMax()
      const times = await Promise.all(Array.from({ length: 50 }, () => client.ping()))
      expect(times).toHaveLength(50)
      expect(proxy.maxInFlight).toBeLessThanOrEqual(4)
      // the bound was reached, so the test did exercise it
      expect(proxy.maxInFlight).toBeGreaterThan(1)
    } finally {
      await client.close()
    }
  })
})
