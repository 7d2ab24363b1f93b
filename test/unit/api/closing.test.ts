import { describe, expect, it } from 'vitest'
import { testApp } from './helpers/app.js'

describe('while the app closes', () => {
  it('answers 503 shutting_down in the API error shape, and the service is not called', async () => {
    const { app, rec } = testApp()
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let closingStarted = () => {}
    const started = new Promise<void>((resolve) => {
      closingStarted = resolve
    })
    // holds the close half-way, after the app's own preClose hooks have run
    app.addHook('preClose', async () => {
      closingStarted()
      await held
    })
    const address = await app.listen({ host: '127.0.0.1', port: 0 })
    const closed = app.close()
    await started
    const res = await fetch(`${address}/v1/containers`)
    const body = await res.json()
    release()
    await closed
    expect(res.status).toBe(503)
    expect(body).toEqual({ code: 'shutting_down', message: expect.stringContaining('shutting down') })
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(rec.calls).toEqual([])
  })
})
