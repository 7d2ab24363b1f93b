// -pprof: Go's profiler on a loopback listener of its own, to find where the simulator's memory or CPU goes under
// a long run; never on the SOAP port, never on a non-loopback address (the profiles carry request contents).
import { afterEach, describe, expect, it } from 'vitest'
import { startGovcsim, type Govcsim } from '../../../src/sim/launcher.js'

const started: Govcsim[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()))
})

describe('-pprof', () => {
  it('serves heap profiles on the address it logs, and not on the SOAP port', async () => {
    const lines: string[] = []
    const sim = await startGovcsim({ pprof: '127.0.0.1:0', onLog: (line) => lines.push(line) })
    started.push(sim)
    let base: string | undefined
    for (let i = 0; i < 50 && !base; i++) {
      base = lines.map((l) => /pprof on (http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/)/.exec(l)?.[1]).find(Boolean)
      if (!base) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(base).toBeDefined()
    const heap = await fetch(new URL('heap?debug=1', base))
    expect(heap.status).toBe(200)
    expect(await heap.text()).toMatch(/^heap profile:/)
    expect((await fetch(new URL('/debug/pprof/heap', sim.url))).status).toBe(404)
  })

  it('refuses an address that is not loopback', async () => {
    await expect(startGovcsim({ pprof: '0.0.0.0:0' })).rejects.toThrow(/only a loopback address is allowed/)
  })
})
