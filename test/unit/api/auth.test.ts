import { describe, expect, it } from 'vitest'
import { testApp } from './helpers/app.js'

const token = 's3cr3t-token-0123456789'

describe('bearer token guard', () => {
  it('lets a request with the token through', async () => {
    const { app, rec } = testApp({ token })
    const res = await app.inject({
      method: 'GET',
      url: '/v1/containers',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.statusCode).toBe(200)
    expect(rec.calls).toHaveLength(1)
  })

  it.each([
    ['no header', undefined],
    ['a wrong token', 'Bearer wrong-token'],
    ['a token prefix', `Bearer ${token.slice(0, -1)}`],
    ['a longer token', `Bearer ${token}x`],
    ['another scheme', `Basic ${Buffer.from(`user:${token}`).toString('base64')}`],
    ['the bare token', token],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 unauthorized to %s, and the service is never called', async (_what, authorization) => {
    const { app, rec } = testApp({ token })
    for (const [method, url] of [
      ['GET', '/v1/containers'],
      ['POST', '/v1/containers'],
      ['DELETE', '/v1/containers/web'],
      ['GET', '/v1/events'],
      ['GET', '/readyz'],
      ['GET', '/openapi.json'],
      ['GET', '/v1/unknown'],
    ] as const) {
      const res = await app.inject({
        method,
        url,
        headers: authorization === undefined ? {} : { authorization },
        ...(method === 'POST' ? { payload: { name: 'web' } } : {}),
      })
      expect(res.statusCode, `${method} ${url}`).toBe(401)
      expect(res.json().code).toBe('unauthorized')
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/)
    }
    expect(rec.calls).toEqual([])
  })

  it('leaves /healthz open so supervisors can probe without the token', async () => {
    const { app } = testApp({ token })
    const res = await app.inject({ method: 'GET', url: '/healthz' })
    expect(res.statusCode).toBe(200)
  })

  it('accepts the scheme in any case, as HTTP says', async () => {
    const { app } = testApp({ token })
    const res = await app.inject({ method: 'GET', url: '/readyz', headers: { authorization: `bearer ${token}` } })
    expect(res.statusCode).toBe(200)
  })

  it('never logs the token', async () => {
    const { app, logs } = testApp({ token })
    await app.inject({ method: 'GET', url: '/v1/containers', headers: { authorization: `Bearer ${token}` } })
    await app.inject({ method: 'GET', url: '/v1/containers', headers: { authorization: 'Bearer guess-1234' } })
    expect(logs.lines.length).toBeGreaterThan(0)
    expect(logs.text()).not.toContain(token)
    expect(logs.text()).not.toContain('guess-1234')
  })

  it('without a token configured, requests need no header', async () => {
    const { app } = testApp()
    const res = await app.inject({ method: 'GET', url: '/v1/containers' })
    expect(res.statusCode).toBe(200)
  })
})
