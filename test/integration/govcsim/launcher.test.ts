// The launcher and the process: start-up lines, inventory, credentials, session expiry, tracing without
// secrets, clean shutdown, and start failures that explain themselves.
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { startGovcsim, type Govcsim } from '../../../src/sim/launcher.js'
import { isLoopbackUrl, startSim, useSim } from '../../helpers/govcsim.js'
import { createTestVM, el, expectOk, faultType, RawSoap, returnedRef, serviceInstance } from '../../helpers/raw-soap.js'

const started: Govcsim[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()))
})

async function start(opts: Parameters<typeof startSim>[0] = {}): Promise<Govcsim> {
  const sim = await startSim(opts)
  started.push(sim)
  return sim
}

describe('inventory', () => {
  const sim = useSim({ vms: 1, datastores: 2 })

  it('describes the default vCenter layout with the datastore directories and pool paths', () => {
    const inv = sim().inventory
    expect(inv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sdk$/)
    expect(inv).toMatchObject({ tls: false, compat: true, strict: true, pid: sim().pid })
    expect(inv.datacenters).toHaveLength(1)
    const dc = inv.datacenters[0]!
    expect(dc).toMatchObject({ name: 'DC0', vmFolder: expect.any(String), hostFolder: expect.any(String) })
    expect(dc.clusters.map((c) => c.name)).toEqual(['DC0_C0'])
    expect(dc.hosts.map((h) => h.name)).toEqual(['DC0_C0_H0', 'DC0_C0_H1', 'DC0_C0_H2', 'DC0_H0'])
    expect(dc.resourcePools.map((p) => p.path).sort()).toEqual(['/DC0/host/DC0_C0/Resources', '/DC0/host/DC0_H0/Resources'])
    expect(dc.datastores.map((d) => [d.name, d.type])).toEqual([
      ['LocalDS_0', 'OTHER'],
      ['LocalDS_1', 'OTHER'],
    ])
    for (const ds of dc.datastores) expect(statSync(ds.path).isDirectory()).toBe(true)
    expect(dc.vms.map((v) => v.name).sort()).toEqual(['DC0_C0_RP0_VM0', 'DC0_H0_VM0'])
    expect(dc.networks.map((n) => n.name)).toContain('VM Network')
  })

  it('names morefs the simulator resolves', async () => {
    const dc = sim().inventory.datacenters[0]!
    const soap = await RawSoap.connect(sim().url, sim().username, sim().password)
    try {
      for (const pool of dc.resourcePools) {
        const reply = await soap.call('FindByInventoryPath', { type: 'SearchIndex', value: 'SearchIndex' }, el('inventoryPath', pool.path))
        expect(returnedRef(reply.text)?.value).toBe(pool.moref)
      }
      for (const vm of dc.vms) expect(await soap.property({ type: 'VirtualMachine', value: vm.moref }, 'name')).toBe(vm.name)
    } finally {
      soap.close()
    }
  })

  it('keeps pre-made VM files in the datastore directory it reports', () => {
    const ds = sim().inventory.datacenters[0]!.datastores[0]!
    expect(readdirSync(ds.path).sort()).toEqual(['DC0_C0_RP0_VM0', 'DC0_H0_VM0'])
  })
})

describe('credentials', () => {
  it('accepts any non-empty user and password by default, and no empty password', async () => {
    const sim = await start()
    const soap = new RawSoap(sim.url)
    expect((await soap.login('someone', '')).status).toBe(500)
    expect(faultType((await soap.login('someone', '')).text)).toBe('InvalidLogin')
    expect((await soap.login('someone', 'anything')).status).toBe(200)
    soap.close()
  })

  it('accepts only the configured pair when one is given', async () => {
    const sim = await start({ username: 'admin@vsphere.local', password: 'p@ss word' })
    expect(sim).toMatchObject({ username: 'admin@vsphere.local', password: 'p@ss word' })
    const soap = new RawSoap(sim.url)
    const wrong = await soap.login('admin@vsphere.local', 'other')
    expect([wrong.status, faultType(wrong.text)]).toEqual([500, 'InvalidLogin'])
    expect((await soap.login('admin@vsphere.local', 'p@ss word')).status).toBe(200)
    soap.close()
  })
})

describe('sessions', () => {
  it('expires a session left idle longer than -session-idle-timeout', async () => {
    const sim = await start({ sessionIdleTimeout: 300 })
    const soap = await RawSoap.connect(sim.url, sim.username, sim.password)
    expect((await soap.call('CurrentTime', serviceInstance)).status).toBe(200)

    await sleep(1500)

    const late = await soap.call('CurrentTime', serviceInstance)
    expect([late.status, faultType(late.text)]).toEqual([500, 'NotAuthenticated'])
    soap.close()
  })
})

describe('tracing', () => {
  it('logs SOAP traffic to stderr without the password or the session key', async () => {
    const lines: string[] = []
    const sim = await start({ trace: true, onLog: (line) => lines.push(line) })
    const soap = await RawSoap.connect(sim.url, 'tracer', 'hunter2-secret')
    expectOk(await soap.call('CurrentTime', serviceInstance))
    const key = soap.sessionKey
    soap.close()
    await sim.stop()

    const log = lines.join('\n')
    expect(log).toContain('trace: request Login')
    expect(log).toContain('trace: response CurrentTime (HTTP 200)')
    expect(log).toContain('<userName>tracer</userName>')
    expect(log).not.toContain('hunter2-secret')
    expect(key).toBeTruthy()
    expect(log).not.toContain(key)
  })
})

describe('shutdown', () => {
  it('exits 0 on SIGTERM and removes the datastore directories, VM files included', async () => {
    const sim = await startGovcsim({})
    const dc = sim.inventory.datacenters[0]!
    const soap = await RawSoap.connect(sim.url, sim.username, sim.password)
    expect((await createTestVM(soap, dc, 'leftover')).state).toBe('success')
    soap.close()
    const dir = dc.datastores[0]!.path
    expect(existsSync(path.join(dir, 'leftover', 'leftover.vmx'))).toBe(true)

    await sim.stop()

    expect(await sim.exited).toEqual({ code: 0, signal: null })
    expect(existsSync(dir)).toBe(false)
    expect(existsSync(path.dirname(dir))).toBe(false)
  })

  it('exits 0 on SIGINT too', async () => {
    const sim = await startGovcsim({})
    process.kill(sim.pid, 'SIGINT')
    expect(await sim.exited).toEqual({ code: 0, signal: null })
    expect(existsSync(sim.inventory.datacenters[0]!.datastores[0]!.path)).toBe(false)
  })
})

describe('start failures', () => {
  it('rejects with the reason when the port is taken, without a Go panic', async () => {
    const first = await start()
    const port = new URL(first.url).port
    const failure = startGovcsim({ listen: `127.0.0.1:${port}` })
    await expect(failure).rejects.toThrow(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`))
    await expect(failure).rejects.not.toThrow(/goroutine|panic/)
  })

  it('rejects flag combinations govcsim cannot honour', async () => {
    await expect(startGovcsim({ vms: 1, datastores: 0 })).rejects.toThrow(/-vms needs -datastores/)
    await expect(startGovcsim({ username: 'only-a-name' })).rejects.toThrow(/-username and -password go together/)
  })

  it('refuses, in the test fixture, a simulator whose URL is not loopback', async () => {
    await expect(startSim({ listen: '0.0.0.0:0' })).rejects.toThrow(/refusing to test against/)
    expect(isLoopbackUrl('https://vcenter.example.com/sdk')).toBe(false)
    expect(isLoopbackUrl('http://127.0.0.1:8989/sdk')).toBe(true)
    expect(isLoopbackUrl('http://[::1]:8989/sdk')).toBe(true)
  })
})
