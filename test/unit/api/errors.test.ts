import { describe, expect, it } from 'vitest'
import { ContainerError, type ContainerErrorKind } from '../../../src/container/errors.js'
import { testApp } from './helpers/app.js'

const kinds: Array<[ContainerErrorKind, number]> = [
  ['invalid_request', 400],
  ['invalid_name', 400],
  ['name_empty', 400],
  ['same_name', 400],
  ['not_found', 404],
  ['ambiguous_ref', 409],
  ['name_conflict', 409],
  ['rename_not_supported', 409],
  ['invalid_state', 409],
  ['container_running', 409],
  ['conflict', 409],
  ['vsphere_unavailable', 503],
]

describe('container errors become one status and code each', () => {
  it.each(kinds)('%s → %i with the service message', async (kind, status) => {
    const { app, rec } = testApp()
    rec.failWith(new ContainerError(kind, `something about ${kind}; try again differently`))
    const res = await app.inject({ method: 'POST', url: '/v1/containers/web/rename?name=web2' })
    expect(res.statusCode).toBe(status)
    expect(res.json()).toEqual({ code: kind, message: `something about ${kind}; try again differently` })
  })

  it('tells the client when to retry after vsphere_unavailable', async () => {
    const { app, rec } = testApp()
    rec.failWith(new ContainerError('vsphere_unavailable', 'vCenter does not answer'))
    const res = await app.inject({ method: 'GET', url: '/v1/containers' })
    expect(res.statusCode).toBe(503)
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('hides an unexpected failure behind a generic 500 and logs its details', async () => {
    const { app, rec, logs } = testApp()
    rec.failWith(new Error('socket hang up at 10.0.0.7:443 (internal detail)'))
    const res = await app.inject({ method: 'GET', url: '/v1/containers/web', headers: { 'op-id': 'op-500' } })
    expect(res.statusCode).toBe(500)
    const body = res.json()
    expect(body.code).toBe('internal')
    expect(body.message).toContain('op-500')
    expect(res.body).not.toContain('10.0.0.7')
    const logged = logs.lines.find((l) => l.msg === 'request failed')
    expect(logged).toMatchObject({ opId: 'op-500', level: 50 })
    expect(JSON.stringify(logged)).toContain('10.0.0.7')
  })

  it('answers 500 internal when the service returns something that is not a container', async () => {
    const { app, rec } = testApp()
    rec.service.inspect = async () => ({ id: 'x' }) as never
    const res = await app.inject({ method: 'GET', url: '/v1/containers/web' })
    expect(res.statusCode).toBe(500)
    expect(res.json().code).toBe('internal')
  })
})

describe("fastify's own errors get stable codes", () => {
  it('an unknown route is 404 route_not_found, not a container not_found', async () => {
    const { app } = testApp()
    for (const [method, url] of [
      ['GET', '/v1/nothing'],
      ['PUT', '/v1/containers/web'],
      ['GET', '/v2/containers'],
      ['GET', '/containers'],
    ] as const) {
      const res = await app.inject({ method, url })
      expect(res.statusCode, `${method} ${url}`).toBe(404)
      expect(res.json().code).toBe('route_not_found')
    }
  })

  it('a malformed query value is 400 invalid_request naming the parameter', async () => {
    const { app, rec } = testApp()
    for (const url of [
      '/v1/containers/web/stop?timeout=1.5',
      '/v1/containers/web/stop?timeout=',
      '/v1/containers/web/stop?timeout=0x10',
      '/v1/containers/web/stop?timeout=-1',
      '/v1/containers/web/stop?timeout=3601',
      '/v1/containers/web/stop?timeout=5&timeout=6',
    ]) {
      const res = await app.inject({ method: 'POST', url })
      expect(res.statusCode, url).toBe(400)
      expect(res.json(), url).toEqual({ code: 'invalid_request', message: expect.stringContaining('timeout') })
    }
    const remove = await app.inject({ method: 'DELETE', url: '/v1/containers/web?force=maybe' })
    expect(remove.statusCode).toBe(400)
    expect(remove.json().message).toContain('force')
    const list = await app.inject({ method: 'GET', url: '/v1/containers?all=yes&extra=1' })
    expect(list.statusCode).toBe(400)
    expect(rec.calls).toEqual([])
  })

  it('a bad container reference is 400 before the service is called', async () => {
    const { app, rec } = testApp()
    for (const ref of ['%3Cweb%3E', 'we%20b', `${'r'.repeat(256)}`, '%00', '-web']) {
      const res = await app.inject({ method: 'GET', url: `/v1/containers/${ref}` })
      expect(res.statusCode, ref).toBe(400)
      expect(res.json().code).toBe('invalid_request')
    }
    expect(rec.calls).toEqual([])
  })

  it('rename: an empty or missing name is name_empty, a bad one invalid_name', async () => {
    const { app, rec } = testApp()
    const empty = await app.inject({ method: 'POST', url: '/v1/containers/web/rename?name=' })
    expect(empty.statusCode).toBe(400)
    expect(empty.json().code).toBe('name_empty')
    const missing = await app.inject({ method: 'POST', url: '/v1/containers/web/rename' })
    expect(missing.json().code).toBe('name_empty')
    for (const name of ['x', 'a%20b', '%3Cb%3E', 'n'.repeat(256), 'web%0A']) {
      const res = await app.inject({ method: 'POST', url: `/v1/containers/web/rename?name=${name}` })
      expect(res.statusCode, name).toBe(400)
      expect(res.json().code, name).toBe('invalid_name')
    }
    expect(rec.calls).toEqual([])
  })
})
