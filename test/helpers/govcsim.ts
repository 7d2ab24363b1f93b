// The integration-test fixture: a real govcsim per test file, strict by default (so a request vCenter would
// refuse fails the test), and never anything but a simulator on this machine. Every integration test file
// starts its simulator through here.
//
//   const sim = useSim({ vms: 2 })          // starts in beforeAll, stops in afterAll
//   it('…', async () => { const { url, username, password } = sim() })
import { afterAll, beforeAll } from 'vitest'
import { memoryTmpdir, startGovcsim, type Govcsim, type GovcsimOptions } from '../../src/sim/launcher.js'

/**
 * Starts a simulator with strict=true unless told otherwise, its datastores in memory (/dev/shm) when the
 * machine has it, and refuses a URL that is not loopback.
 */
export async function startSim(opts: GovcsimOptions = {}): Promise<Govcsim> {
  const sim = await startGovcsim({ strict: true, tmpdir: memoryTmpdir(), ...opts })
  try {
    assertLocalSimulator(sim.url)
  } catch (err) {
    await sim.stop()
    throw err
  }
  return sim
}

/** Registers beforeAll/afterAll for one simulator and returns its accessor (valid inside tests and hooks). */
export function useSim(opts: GovcsimOptions = {}): () => Govcsim {
  let sim: Govcsim | undefined
  beforeAll(async () => {
    sim = await startSim(opts)
  })
  afterAll(async () => {
    await sim?.stop()
    sim = undefined
  })
  return () => {
    if (!sim) throw new Error('the simulator is only available inside tests and hooks')
    return sim
  }
}

/** Throws unless url points at this machine: tests must never reach a real vCenter. */
export function assertLocalSimulator(url: string): void {
  if (!isLoopbackUrl(url)) throw new Error(`refusing to test against ${url}: not a simulator on this machine (loopback)`)
}

export function isLoopbackUrl(url: string): boolean {
  let host: string
  try {
    host = new URL(url).hostname
  } catch {
    return false
  }
  host = host.replace(/^\[(.*)\]$/, '$1')
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

