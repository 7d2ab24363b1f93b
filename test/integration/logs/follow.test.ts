// Following a running container's output over real HTTP: the stream shows what is appended to `output.log` while
// the client watches (the test appends to the datastore's file as a running tether would), ends when the
// container stops (after the last output before the stop), and stops asking the datastore when the client leaves.
import { appendFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import type { VimClient } from '../../../src/vim/index.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import {
  connectClient,
  entries,
  getLogs,
  localOutputLog,
  logSink,
  outputLog,
  second,
  servedRecord,
  t0,
} from './support.js'

const sink = logSink('info')
const pl = usePortlayer({ logger: sink.logger })
const api = containersApi(pl)
let client: VimClient
let base: string

beforeAll(async () => {
  client = await connectClient(pl())
  if (!pl().app.server.listening) await pl().app.listen({ port: 0, host: '127.0.0.1' })
  base = `http://127.0.0.1:${(pl().app.server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await client?.close()
})

interface Follower {
  status: number
  contentType: string | undefined
  /** everything received so far */
  text(): string
  /** resolves when the server ends the response */
  ended: Promise<void>
  /** the client leaves */
  leave(): void
}

function follow(path: string, opId: string): Promise<Follower> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { headers: { 'op-id': opId } }, (res) => {
      let received = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (received += chunk))
      const ended = new Promise<void>((done, failed) => {
        res.on('end', done)
        res.on('error', failed)
      })
      ended.catch(() => undefined)
      resolve({
        status: res.statusCode ?? 0,
        contentType: res.headers['content-type'],
        text: () => received,
        ended,
        leave: () => req.destroy(),
      })
    })
    req.on('error', reject)
  })
}

async function runningContainerWithLog(log: Buffer): Promise<ContainerView> {
  const c = await api.created()
  await client.files.put(outputLog(pl(), c), log)
  expect((await api.start(c.id)).status).toBe(204)
  return c
}

describe('following a running container', () => {
  it('streams what is appended until the container stops, including what it wrote just before', async () => {
    const c = await runningContainerWithLog(entries('before-1\nbefore-2\n', t0))
    const f = await follow(`/v1/containers/${c.id}/logs?follow=true&tail=1`, 'follow-appends')
    expect(f.status).toBe(200)
    await eventually(() => expect(f.text()).toBe('before-2\n'))

    appendFileSync(localOutputLog(pl(), c), entries('while-1\n', t0 + second))
    await eventually(() => expect(f.text()).toBe('before-2\nwhile-1\n'))
    appendFileSync(localOutputLog(pl(), c), entries('while-2\n', t0 + 2n * second, 'stderr'))
    await eventually(() => expect(f.text()).toBe('before-2\nwhile-1\nwhile-2\n'))

    appendFileSync(localOutputLog(pl(), c), entries('last words\n', t0 + 3n * second))
    expect((await api.stop(c.id)).status).toBe(204)
    await f.ended
    expect(f.text()).toBe('before-2\nwhile-1\nwhile-2\nlast words\n')
  })

  it('follows in json-file lines, filtered to one stream', async () => {
    const c = await runningContainerWithLog(entries('out\n', t0))
    const f = await follow(`/v1/containers/${c.id}/logs?follow=1&format=json-file&stdout=false`, 'follow-json')
    expect(f.contentType).toBe('application/x-ndjson')
    appendFileSync(localOutputLog(pl(), c), Buffer.concat([entries('more out\n', t0 + second), entries('oops\n', t0 + second, 'stderr')]))
    await eventually(() => expect(f.text()).toBe('{"log":"oops\\n","stream":"stderr","time":"2023-11-14T22:13:21Z"}\n'))
    expect((await api.stop(c.id)).status).toBe(204)
    await f.ended
  })

  it('ends a follow with until once an entry after until is written', async () => {
    const now = BigInt(Date.now()) * 1_000_000n
    const until = now + 60n * second
    const c = await runningContainerWithLog(entries('early\n', now - second))
    const f = await follow(`/v1/containers/${c.id}/logs?follow=true&until=${until / second}`, 'follow-until')
    await eventually(() => expect(f.text()).toBe('early\n'))
    appendFileSync(localOutputLog(pl(), c), Buffer.concat([entries('in time\n', now), entries('too late\n', until + second)]))
    await f.ended
    expect(f.text()).toBe('early\nin time\n')
    expect((await api.stop(c.id)).status).toBe(204)
  })

  it('ends a follow with until when that time comes', async () => {
    const c = await runningContainerWithLog(entries('waiting\n', t0))
    const until = (Date.now() + 1500) / 1000
    const f = await follow(`/v1/containers/${c.id}/logs?follow=true&until=${until.toFixed(3)}`, 'follow-until-time')
    await f.ended
    expect(f.text()).toBe('waiting\n')
    expect((await api.inspect(c.id)).body.state).toBe('running')
    expect((await api.stop(c.id)).status).toBe(204)
  })

  it('does not follow when until has passed', async () => {
    const c = await runningContainerWithLog(entries('old news\n', t0))
    const res = await getLogs(pl(), c.id, `follow=true&until=${1_700_000_000 + 5}`)
    expect(res.body).toBe('old news\n')
    expect((await api.stop(c.id)).status).toBe(204)
  })

  it('stops reading the datastore when the client leaves', async () => {
    const c = await runningContainerWithLog(entries('hello\n', t0))
    const f = await follow(`/v1/containers/${c.id}/logs?follow=true`, 'follow-leaves')
    await eventually(() => expect(f.text()).toBe('hello\n'))
    f.leave()
    // the read ends (and logs what it fetched) while the container still runs
    const served = await servedRecord(sink, 'follow-leaves')
    expect(served.bytes).toBe(entries('hello\n', t0).length)
    expect((await api.inspect(c.id)).body.state).toBe('running')
    expect((await api.stop(c.id)).status).toBe(204)
  })

  it('does not follow a container that is not running: the current output is given and the response ends', async () => {
    const c = await api.created()
    await client.files.put(outputLog(pl(), c), entries('only this\n', t0))
    const res = await getLogs(pl(), c.id, 'follow=true')
    expect(res.body).toBe('only this\n')
  })

  it('reads from the start again when the log was truncated while following', async () => {
    const c = await runningContainerWithLog(entries('a long first life of this log\n', t0))
    const f = await follow(`/v1/containers/${c.id}/logs?follow=true`, 'follow-truncated')
    await eventually(() => expect(f.text()).toBe('a long first life of this log\n'))
    await client.files.put(outputLog(pl(), c), entries('anew\n', t0 + second))
    await eventually(() => expect(f.text()).toBe('a long first life of this log\nanew\n'))
    expect((await api.stop(c.id)).status).toBe(204)
    await f.ended
  })
})
