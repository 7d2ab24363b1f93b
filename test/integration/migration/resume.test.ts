// kill -9 in the middle of `portlayer migrate`, then run it again: it finishes, and nothing is applied twice.
//
// The job runs as a child process (the real executable) behind a pass-through proxy that stops forwarding once
// half of the legacy VMs' reconfigures went through, so the child is surely mid-run, with writes done and writes
// pending, when it is killed; how many were applied is read from the simulator's own counts.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import { useSim } from '../../helpers/govcsim.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { migrateJson, sdkUrl, spawnMigrate } from './cli.js'
import { changedKeys, createFleet, isLegacy, readFleet, thirds, type FleetVm } from './fleet.js'

/** Forwards to `target` until `holdAfter` ReconfigVM_Task requests went through; after that forwards nothing. */
class GateProxy {
  reconfigs = 0
  held = false
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()

  private constructor(
    private readonly target: URL,
    private readonly holdAfter: number,
  ) {
    this.server = net.createServer((client) => this.accept(client))
  }

  static async start(targetUrl: string, holdAfter: number): Promise<GateProxy> {
    const proxy = new GateProxy(new URL(targetUrl), holdAfter)
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(Number(this.target.port), this.target.hostname)
    this.sockets.add(client).add(upstream)
    let tail = ''
    client.on('data', (chunk: Buffer) => {
      if (this.held) return
      // the method element may straddle two chunks
      const text = tail + chunk.toString('latin1')
      this.reconfigs += text.split('<ReconfigVM_Task').length - 1
      tail = text.slice(-32)
      upstream.write(chunk)
      if (this.reconfigs >= this.holdAfter) this.held = true
    })
    upstream.pipe(client)
    const close = (): void => {
      client.destroy()
      upstream.destroy()
    }
    client.on('close', close).on('error', close)
    upstream.on('close', close).on('error', close)
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

const sim = useSim()
const soap = useRawSoap(sim)
let fleet: FleetVm[]
let before: Map<string, Map<string, string>>
let proxy: GateProxy

beforeAll(async () => {
  fleet = await createFleet(soap(), sim().inventory.datacenters[0]!, { count: 300, kind: thirds, running: (i) => i % 4 === 0 })
  before = await readFleet(soap(), fleet)
  proxy = await GateProxy.start(sim().url, 100)
})
afterAll(async () => {
  await proxy?.stop()
})

const legacyCount = 200

describe('portlayer migrate killed with SIGKILL half way', () => {
  let appliedBeforeKill = 0

  it('leaves each VM either fully migrated or untouched', async () => {
    await sim().resetStats()
    const job = spawnMigrate(['--url', sdkUrl(sim(), proxy.port), '--concurrency', '4'])
    const deadline = Date.now() + 50_000
    while (!proxy.held && job.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(proxy.held, `the job ended before it was killed:\n${job.output()}`).toBe(true)
    job.child.kill('SIGKILL')
    await job.exited

    appliedBeforeKill = (await sim().stats())['ReconfigVM_Task'] ?? 0
    expect(appliedBeforeKill).toBeGreaterThan(0)
    expect(appliedBeforeKill).toBeLessThan(legacyCount)

    const after = await readFleet(soap(), fleet)
    const recorded = fleet.filter((vm) => after.get(vm.moref.value)!.has(migrationRecordKey))
    expect(recorded).toHaveLength(appliedBeforeKill)
    expect(recorded.every((vm) => isLegacy(vm.kind))).toBe(true)
    for (const vm of fleet.filter((v) => isLegacy(v.kind))) {
      const config = after.get(vm.moref.value)!
      // the name and the record travel in one reconfigure: never one without the other
      expect(config.has('common/name')).toBe(config.has(migrationRecordKey))
    }
  })

  it('finishes on the next run, writing only the VMs not yet written', async () => {
    await sim().resetStats()
    const run = await migrateJson(['--url', sdkUrl(sim())])
    expect(run.code).toBe(0)
    expect((await sim().stats())['ReconfigVM_Task'] ?? 0).toBe(legacyCount - appliedBeforeKill)
    expect(run.report.totals).toMatchObject({
      migrated: legacyCount - appliedBeforeKill,
      current: 50 + appliedBeforeKill,
      inMemory: 50,
      failed: 0,
    })

    const after = await readFleet(soap(), fleet)
    for (const vm of fleet) {
      const changes = changedKeys(before.get(vm.moref.value)!, after.get(vm.moref.value)!)
      expect(changes).toEqual(
        isLegacy(vm.kind)
          ? [
              ['common/name', undefined, vm.name],
              [migrationRecordKey, undefined, '9'],
            ]
          : [],
      )
    }
  })

  it('writes nothing on a third run', async () => {
    await sim().resetStats()
    const run = await migrateJson(['--url', sdkUrl(sim())])
    expect(run.code).toBe(0)
    expect((await sim().stats())['ReconfigVM_Task'] ?? 0).toBe(0)
  })
})
