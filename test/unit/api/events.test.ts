import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import type { ContainerEvent } from '../../../src/container/types.js'
import { testApp } from './helpers/app.js'

/** Opens the event stream over a real socket and collects the parsed lines as they arrive. */
async function subscribe(port: number, headers: Record<string, string> = {}) {
  const events: ContainerEvent[] = []
  let ended = false
  const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/events', headers })
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve).on('error', reject).end()
  })
  let buffered = ''
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) events.push(JSON.parse(line) as ContainerEvent)
  })
  res.on('end', () => {
    ended = true
  })
  res.on('error', () => {})
  return { res, events, ended: () => ended, leave: () => req.destroy() }
}

async function listen(app: Awaited<ReturnType<typeof testApp>>['app']) {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

/** Waits for sockets to deliver; generous, since the machine may be busy. */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 20 })

const created: ContainerEvent = { type: 'create', id: 'a'.repeat(64), name: 'web', time: '2026-11-22T12:00:00Z' }
const renamed: ContainerEvent = {
  type: 'rename',
  id: 'a'.repeat(64),
  name: 'web2',
  oldName: 'web',
  time: '2026-11-22T12:00:01Z',
}

describe('GET /v1/events', { timeout: 30_000 }, () => {
  it('streams each container event as one NDJSON line', async () => {
    const { app, rec } = testApp()
    const client = await subscribe(await listen(app), { 'op-id': 'watcher-1' })
    expect(client.res.statusCode).toBe(200)
    expect(client.res.headers['content-type']).toBe('application/x-ndjson')
    expect(client.res.headers['op-id']).toBe('watcher-1')
    expect(rec.listenerCount()).toBe(1)

    rec.emit(created)
    rec.emit(renamed)
    await eventually(() => expect(client.events).toEqual([created, renamed]))
    client.leave()
  })

  it('gives every client every event', async () => {
    const { app, rec } = testApp()
    const port = await listen(app)
    const a = await subscribe(port)
    const b = await subscribe(port)
    rec.emit(created)
    await eventually(() => {
      expect(a.events).toEqual([created])
      expect(b.events).toEqual([created])
    })
    a.leave()
    b.leave()
  })

  it('unsubscribes when the client leaves', async () => {
    const { app, rec } = testApp()
    const port = await listen(app)
    const stays = await subscribe(port)
    const leaves = await subscribe(port)
    expect(rec.listenerCount()).toBe(2)
    leaves.leave()
    await eventually(() => expect(rec.listenerCount()).toBe(1))
    rec.emit(created)
    await eventually(() => expect(stays.events).toEqual([created]))
    stays.leave()
    await eventually(() => expect(rec.listenerCount()).toBe(0))
  })

  it('drops a client that stops reading once its backlog passes the bound, and keeps the others', async () => {
    const { app, rec } = testApp()
    const port = await listen(app)
    const reading = await subscribe(port)
    const stalled = await subscribe(port)
    stalled.res.pause()
    const big: ContainerEvent = { ...created, name: 'n'.repeat(250) }
    // Batches with a turn of the event loop between them, so sockets drain for the client that reads.
    let sent = 0
    for (let batch = 0; batch < 2000 && rec.listenerCount() === 2; batch++) {
      for (let i = 0; i < 100; i++) rec.emit(big)
      sent += 100
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(rec.listenerCount()).toBe(1)
    await eventually(() => expect(reading.events).toHaveLength(sent))
    reading.leave()
    stalled.leave()
  }, 60_000)

  it('ends open streams when the app closes', async () => {
    const { app, rec } = testApp()
    const client = await subscribe(await listen(app))
    await app.close()
    await eventually(() => expect(client.ended()).toBe(true))
    expect(rec.listenerCount()).toBe(0)
  })
})
