// 200 renames at once through one process, over 10 containers and 5 names (and again over 15 names, so that
// containers keep freeing names for each other), while something outside portlayer keeps
// writing to the same VMs (so claims meet ConcurrentAccess and are read again and replayed). Afterwards, read
// from the simulator: no name is on two containers, every VM's display name agrees with its `common/name`, no
// journal is left, the outside writes all survived (no lost update), and each container's name is the one its
// last rename event announced.
import { describe, expect, it } from 'vitest'
import { displayName } from '../../../src/container/naming.js'
import { defaultMaxWaitSeconds } from '../../../src/container/store.js'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { useRawSoap, type RawSoap } from '../../helpers/raw-soap.js'
import { duplicateNames, eventStream, rename, simContainers } from './support.js'

/** A small deterministic generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** Writes `outside/<n>` to a VM without a changeVersion, as another tool would. */
async function outsideWrite(soap: RawSoap, moref: string, n: number): Promise<void> {
  const outcome = await soap.task(
    soap.reconfigure({ type: 'VirtualMachine', value: moref }, { extraConfig: [[`outside/${n}`, 'kept']] }),
  )
  if (outcome.state !== 'success') throw new Error(`outside write ${n} on ${moref}: ${outcome.fault}`)
}

describe('concurrent renames in one process', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)

  async function race(prefix: string, names: string[], seed: number): Promise<number> {
    const containers: ContainerView[] = []
    for (let i = 0; i < 10; i++) containers.push(await api.created({ name: `${prefix}${i}` }))
    const next = random(seed)
    const stream = await eventStream(pl())

    const outside: Array<{ moref: string; n: number }> = []
    const writer = (async () => {
      for (let n = 0; n < 30; n++) {
        const target = containers[n % containers.length]!
        await outsideWrite(soap(), target.vm.moref, n)
        outside.push({ moref: target.vm.moref, n })
      }
    })()
    const replies = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const c = containers[Math.floor(next() * containers.length)]!
        const name = names[Math.floor(next() * names.length)]!
        const res = await rename(pl(), c.id, name)
        return { id: c.id, name, status: res.status, code: res.body?.code }
      }),
    )
    await writer

    // refusals are for names in use or already held; nothing failed
    for (const r of replies) {
      if (r.status === 204) continue
      expect([400, 409], JSON.stringify(r)).toContain(r.status)
      expect(['same_name', 'name_conflict', 'conflict'], JSON.stringify(r)).toContain(r.code)
    }
    const done = replies.filter((r) => r.status === 204)
    // every name was given to someone
    expect(done.length).toBeGreaterThanOrEqual(names.length)

    // a journal removal that lost a race is sent again once the store has read the VM anew, which it does at the
    // latest when its next wait returns (defaultMaxWaitSeconds): wait past that, not just past the 250 ms poll
    const sim = await eventually(
      async () => {
        const now = (await simContainers(soap(), pl())).filter((c) => containers.some((x) => x.id === c.id))
        expect(now.filter((c) => c.extraConfig.has('portlayer/rename')).map((c) => c.containerName)).toEqual([])
        return now
      },
      { timeoutMs: (defaultMaxWaitSeconds + 10) * 1000 },
    )
    expect(sim).toHaveLength(10)
    expect(duplicateNames(sim)).toEqual([])
    for (const c of sim) expect(c.name).toBe(displayName(c.containerName, c.id))
    for (const { moref, n } of outside) {
      expect(sim.find((c) => c.moref === moref)?.extraConfig.get(`outside/${n}`), `outside/${n}`).toBe('kept')
    }

    // the events, in order, tell each container's story; its last one names what it is called now
    const renames = stream.events.filter((e) => e.type === 'rename')
    stream.close()
    expect(renames).toHaveLength(done.length)
    for (const c of containers) {
      const last = renames.filter((e) => e.id === c.id).at(-1)
      expect(sim.find((x) => x.id === c.id)?.containerName).toBe(last?.name ?? c.name)
    }
    // the service's cache ends where vSphere is (a report the update loop collected before the last renames may
    // still be on its way: see the store's notes on older views)
    await eventually(async () => {
      const listed = (await api.list(true)).body.filter((c) => containers.some((x) => x.id === c.id))
      expect(Object.fromEntries(listed.map((c) => [c.id, c.name]))).toEqual(Object.fromEntries(sim.map((c) => [c.id, c.containerName])))
    })
    return done.length
  }

  it('never puts one of 5 names on two of 10 containers, nor loses an update', { timeout: 120_000 }, async () => {
    await race('racer', ['alpha', 'bravo', 'charlie', 'delta', 'echo'], 5)
  })

  it('holds with 15 names, where containers keep freeing names for each other', { timeout: 120_000 }, async () => {
    const names = Array.from({ length: 15 }, (_, i) => `name${i}`)
    expect(await race('churn', names, 15)).toBeGreaterThan(names.length)
  })
})
