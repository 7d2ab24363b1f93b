import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { connect, isFault, VimClientClosed, VimUnreachable, type VimClient } from '../../../src/vim/index.js'
import { connectTo, delta, logSink, sleep } from './support.js'

// sessions idle for 1 s expire (the simulator checks once a second, so within 2 s)
const idleTimeout = 1_000
const sim = useSim({ sessionIdleTimeout: idleTimeout, vms: 1, username: 'svc-portlayer', password: 'pa$$ &<w0rd>"' })

async function idleOut(): Promise<void> {
  await sleep(idleTimeout * 2 + 500)
}

describe('logging in', () => {
  it('logs in with the given credentials and reports who it is', async () => {
    const client = await connectTo(sim())
    try {
      expect(client.user.userName).toBe('svc-portlayer')
      expect(client.apiVersion).toMatch(/^\d+\.\d+/)
      expect(await client.ping()).toBeInstanceOf(Date)
    } finally {
      await client.close()
    }
  })

  it('takes the credentials from the URL too, and never keeps them in the endpoint it shows', async () => {
    const url = new URL(sim().url)
    url.username = encodeURIComponent(sim().username)
    url.password = encodeURIComponent(sim().password)
    const client = await connect({ url, keepAliveMs: 0 })
    try {
      expect(client.endpoint).toBe(new URL(sim().url).origin)
    } finally {
      await client.close()
    }
  })

  it('fails with InvalidLogin on a wrong password, without the password in the error', async () => {
    const err = await connectTo(sim(), { password: 'not-the-password' }).catch((e: unknown) => e)
    expect(isFault(err, 'InvalidLogin')).toBe(true)
    expect(String((err as Error).message)).not.toContain('not-the-password')
  })

  it('fails with VimUnreachable when nothing listens', async () => {
    const server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const err = await connect({ url: `http://u:p@127.0.0.1:${port}/sdk`, retry: { retries: 0 } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VimUnreachable)
    expect((err as VimUnreachable).reason).toBe('refused')
    expect((err as Error).message).not.toContain('u:p')
  })
})

describe('an expired session', () => {
  it('is renewed by one login that every concurrent caller waits for', async () => {
    const client = await connectTo(sim())
    try {
      const vm = client.serviceContent.rootFolder
      await idleOut()
      const before = await sim().stats()
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          i % 2 === 0 ? client.retrieveOne(vm, ['name']) : client.list(vm, 'VirtualMachine', ['name']),
        ),
      )
      expect(results.filter((r) => Array.isArray(r))).toHaveLength(3)
      expect(delta(before, await sim().stats())['Login']).toBe(1)
      expect(client.session.generation).toBe(2)
    } finally {
      await client.close()
    }
  })

  it('is renewed but a creation is not sent twice: the caller is told to retry', async () => {
    const client = await connectTo(sim())
    try {
      const dc = sim().inventory.datacenters[0]!
      await idleOut()
      const before = await sim().stats()
      const err = await client
        .makeDirectory(`[${dc.datastores[0]!.name}] after-expiry`, { type: 'Datacenter', value: dc.moref }, false)
        .catch((e: unknown) => e)
      expect(isFault(err, 'NotAuthenticated')).toBe(true)
      expect((err as Error).message).toMatch(/renewed.*retry/)
      expect(delta(before, await sim().stats())).toEqual({ Login: 1, MakeDirectory: 1 })
      // the renewed session works
      await client.makeDirectory(`[${dc.datastores[0]!.name}] after-expiry`, { type: 'Datacenter', value: dc.moref }, false)
    } finally {
      await client.close()
    }
  })

  it('does not happen while the keepalive runs', async () => {
    const client = await connectTo(sim(), { keepAliveMs: idleTimeout / 4 })
    try {
      await idleOut()
      const before = await sim().stats()
      await client.retrieveOne(client.serviceContent.rootFolder, ['name'])
      const calls = delta(before, await sim().stats())
      expect(calls['Login']).toBeUndefined()
      expect(calls['RetrievePropertiesEx']).toBe(1)
      expect(client.session.generation).toBe(1)
    } finally {
      await client.close()
    }
  })
})

describe('closing', () => {
  it('logs out, and later calls fail with VimClientClosed', async () => {
    const client = await connectTo(sim())
    const before = await sim().stats()
    await client.close()
    expect(delta(before, await sim().stats())).toEqual({ Logout: 1 })
    await expect(client.ping()).rejects.toBeInstanceOf(VimClientClosed)
  })
})

describe('logs', () => {
  it('never carry the password or the session cookie, also across expiry and failures', async () => {
    const sink = logSink('debug')
    const password = sim().password
    let client: VimClient | undefined
    let cookieSeen: string | undefined
    try {
      client = await connectTo(sim(), { logger: sink.logger })
      cookieSeen = client.user.key
      await idleOut()
      await client.retrieveOne(client.serviceContent.rootFolder, ['name'])
      await client.findByInventoryPath('/nowhere')
      await connectTo(sim(), { logger: sink.logger, password: `${password}-wrong` }).catch(() => undefined)
      // a caller that logs the options by mistake still gets the password censored
      sink.logger.info({ options: { password } }, 'connecting')
    } finally {
      await client?.close()
    }
    const text = sink.lines.join('\n')
    expect(sink.records().some((r) => r['msg'] === 'vSphere session expired; logging in again')).toBe(true)
    expect(sink.records().some((r) => r['method'] === 'RetrievePropertiesEx')).toBe(true)
    expect(text).not.toContain(password)
    expect(text).not.toContain('pa$$')
    expect(cookieSeen).toBeTruthy()
    expect(text).not.toContain(cookieSeen!)
    expect(text).toContain('[Redacted]')
  })
})
