import { describe, expect, it } from 'vitest'
import { testApp } from './helpers/app.js'

describe('Op-ID', () => {
  it("carries the caller's operation ID to the service, the response and every log line", async () => {
    const { app, rec, logs } = testApp()
    const res = await app.inject({
      method: 'POST',
      url: '/v1/containers/web/start',
      headers: { 'op-id': 'persona-7f3a:42' },
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['op-id']).toBe('persona-7f3a:42')
    expect(rec.calls[0]!.args.at(-1)).toEqual({ opId: 'persona-7f3a:42' })
    const requestLines = logs.lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed')
    expect(requestLines).toHaveLength(2)
    for (const line of requestLines) expect(line.opId).toBe('persona-7f3a:42')
  })

  it('generates a fresh ID per request when the header is absent', async () => {
    const { app, rec } = testApp()
    const a = await app.inject({ method: 'GET', url: '/v1/containers/web' })
    const b = await app.inject({ method: 'GET', url: '/v1/containers/web' })
    const idA = a.headers['op-id']
    const idB = b.headers['op-id']
    expect(typeof idA).toBe('string')
    expect(idA).not.toBe(idB)
    expect(rec.calls.map((c) => (c.args.at(-1) as { opId: string }).opId)).toEqual([idA, idB])
  })

  it('echoes the ID on error answers too', async () => {
    const { app } = testApp()
    const res = await app.inject({ method: 'GET', url: '/v1/nope', headers: { 'op-id': 'trace-1' } })
    expect(res.statusCode).toBe(404)
    expect(res.headers['op-id']).toBe('trace-1')
  })

  it.each([
    ['too long', 'o'.repeat(129)],
    ['a space', 'op 1'],
    ['a quote', 'op"1'],
    ['markup', '<op>'],
    ['a leading separator', '-op'],
  ])('refuses an Op-ID with %s (400, the service not called)', async (_what, value) => {
    const { app, rec } = testApp()
    const res = await app.inject({ method: 'GET', url: '/v1/containers/web', headers: { 'op-id': value } })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ code: 'invalid_request', message: expect.stringContaining('Op-ID') })
    // the answer names the request by a fresh ID, never by the refused value
    expect(res.headers['op-id']).not.toBe(value)
    expect(rec.calls).toEqual([])
  })

  it('accepts an Op-ID of exactly 128 characters', async () => {
    const { app, rec } = testApp()
    const id = `a${'1'.repeat(127)}`
    const res = await app.inject({ method: 'GET', url: '/v1/containers/web', headers: { 'op-id': id } })
    expect(res.statusCode).toBe(200)
    expect(rec.calls[0]!.args.at(-1)).toEqual({ opId: id })
  })
})
