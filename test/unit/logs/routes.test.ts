// The logs and attach routes on their own, over a recording service: how the query is split between the reader
// and the format's options, what reaches the service, and how a refused log option answers.
import { describe, expect, it } from 'vitest'
import { LogError } from '../../../src/logs/errors.js'
import { testApp } from '../api/helpers/app.js'

describe('GET /v1/containers/{ref}/logs', () => {
  it('hands the reader parameters over typed and every other parameter to the format as text', async () => {
    const { app, rec } = testApp()
    const res = await app.inject({
      method: 'GET',
      url: '/v1/containers/web/logs?tail=3&since=1700000000.5&follow=1&stderr=false&format=raw&timestamps=true&colour=red',
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/octet-stream')
    expect(res.body).toBe('hello\n')
    expect(rec.calls.at(-1)).toMatchObject({
      method: 'logs',
      args: [
        'web',
        { tail: 3, since: '1700000000.5', follow: true, stderr: false, format: 'raw', options: { timestamps: 'true', colour: 'red' } },
        expect.objectContaining({ opId: expect.any(String) }),
      ],
    })
  })

  it('answers a refused option with 400 and its code', async () => {
    const { app, rec } = testApp()
    rec.failWith(new LogError('invalid_log_option', "unknown option 'colour' for log format raw: it takes 'timestamps'"))
    const res = await app.inject({ method: 'GET', url: '/v1/containers/web/logs?colour=red' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ code: 'invalid_log_option', message: "unknown option 'colour' for log format raw: it takes 'timestamps'" })
  })

  it('refuses a negative tail and a malformed boolean by schema', async () => {
    const { app } = testApp()
    for (const query of ['tail=-2', 'follow=maybe']) {
      const res = await app.inject({ method: 'GET', url: `/v1/containers/web/logs?${query}` })
      expect(res.statusCode, query).toBe(400)
      expect(res.json().code).toBe('invalid_request')
    }
  })
})

describe('/v1/containers/{ref}/attach', () => {
  it('passes the address to attach, and detach with DELETE', async () => {
    const { app, rec } = testApp()
    const res = await app.inject({ method: 'POST', url: '/v1/containers/web/attach', payload: { address: '10.0.0.5:2377' } })
    expect(res.statusCode).toBe(204)
    expect(rec.calls.at(-1)).toMatchObject({ method: 'attach', args: ['web', { address: '10.0.0.5:2377' }, expect.anything()] })
    expect((await app.inject({ method: 'DELETE', url: '/v1/containers/web/attach' })).statusCode).toBe(204)
    expect(rec.calls.at(-1)).toMatchObject({ method: 'detach', args: ['web', expect.anything()] })
  })

  it.each([[{}], [{ address: 'no port' }], [{ address: '1.2.3.4:80', extra: true }]])('refuses the body %j', async (payload) => {
    const { app, rec } = testApp()
    const res = await app.inject({ method: 'POST', url: '/v1/containers/web/attach', payload })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('invalid_request')
    expect(rec.calls).toEqual([])
  })
})
