// Random network faults (seeded, so a failing run can be replayed with its seed) under 100 creates and 100
// renames through the REST API. Whatever breaks, every request gets a definite answer, and once the network is
// sound again the simulator, read on its own, holds no orphan VM, no second VM for an ID and no half rename.
import { randomBytes } from 'node:crypto'
import pLimit from 'p-limit'
import { beforeAll, describe, expect, it } from 'vitest'
import { containersApi, type ApiReply } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { rename } from '../rename/support.js'
import { expectConsistent, expectDefinite, simLinks, useProxiedPortlayer } from './support.js'

const seed = Number(process.env['RESILIENCE_SEED'] ?? 20261122)
const p = useProxiedPortlayer({ proxy: { stallMs: 300, slowMs: 100 } })
const api = containersApi(() => p().pl)
const limit = pLimit(4)
const heads = Array.from({ length: 10 }, (_, i) => `head${i}`)
const members = Array.from({ length: 100 }, (_, i) => ({ id: randomBytes(32).toString('hex'), name: `member${i}` }))
const statuses: Record<string, number> = {}

function tally(res: ApiReply<unknown>): void {
  const code = (res.body as { code?: string } | undefined)?.code
  const key = code ? `${res.status} ${code}` : String(res.status)
  statuses[key] = (statuses[key] ?? 0) + 1
}

async function settled(): Promise<void> {
  p().proxy.clear()
  await eventually(
    async () => {
      const listed = await api.list(true)
      expect(listed.status).toBe(200)
      await expectConsistent(p(), listed.body)
    },
    { timeoutMs: 20_000, intervalMs: 250 },
  )
}

beforeAll(async () => {
  for (const name of heads) await api.created({ name })
})

describe(`random faults (seed ${seed})`, () => {
  it('100 creates each get a definite answer and leave one VM per created container', async () => {
    p().proxy.random({ probability: 0.1, seed })
    const replies = await Promise.all(
      members.map((m, i) =>
        limit(async () => {
          const res = await api.create({ id: m.id, name: m.name, links: [`head${i % 10}:head`] })
          expectDefinite(res, `create ${m.name}`)
          tally(res)
          return res
        }),
      ),
    )
    const faults = p().proxy.faultCount
    await settled()
    expect(faults, 'the proxy broke nothing: the test proved nothing').toBeGreaterThan(0)
    const listed = (await api.list(true)).body
    for (const [i, res] of replies.entries()) {
      // a create that said yes made its container; one that said vsphere_unavailable may or may not have
      if (res.status === 201)
        expect(listed.some((c) => c.id === members[i]?.id), `${members[i]?.name} was created: ${JSON.stringify(res.body)}`).toBe(true)
      else expect(res.status).toBe(503)
    }
  })

  it('100 renames each get a definite answer and leave no half rename', async () => {
    p().proxy.random({ probability: 0.1, seed: seed + 1 })
    const listed = (await api.list(true)).body
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        // every fifth rename is of a head, which re-points the links of ten members
        const target = i % 5 === 0 ? listed.find((c) => c.name === heads[(i / 5) % 10]) : listed[i % listed.length]
        return limit(async () => {
          const res = await rename(p().pl, target?.id ?? 'missing', `renamed${i}`)
          expectDefinite(res, `rename ${target?.name} to renamed${i}`)
          tally(res)
          return res
        })
      }),
    )
    const faults = p().proxy.faultCount
    await settled()
    expect(faults).toBeGreaterThan(0)
    expect(replies.filter((r) => r.status === 204).length, 'no rename succeeded').toBeGreaterThan(0)
  })

  it('links point at the renamed heads', async () => {
    const inSim = await expectConsistent(p(), (await api.list(true)).body)
    const names = new Set(inSim.map((c) => c.containerName))
    const linked = inSim.flatMap(simLinks)
    expect(linked.length).toBeGreaterThan(0)
    for (const link of linked) expect(names.has(link.split(':')[0] ?? '')).toBe(true)
    console.info(JSON.stringify({ seed, statuses, proxy: p().proxy.counts }))
  })
})
