// 1 000 renames racing over 20 containers and 10 contested names, sent to two `portlayer serve` processes on one
// simulator: the first holds the writer lease and decides names in memory, the second is a standby that forwards
// its renames to it, so a name meets its rivals from both processes in one place. Each container is renamed to a contested name, or back to a name of its own
// (which frees the contested one for the others to race for); now and then the same container is renamed by both
// processes at once. The race runs once; the tests then judge it. Every reply must be 204 or 409; samples of the
// simulator taken while it runs (one read of every VM) never show a name held for good by two containers nor a
// display name out of step with `common/name`; at the end names are unique, each is what the replies said it would
// be, and both processes list them so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { nameViolations, readContainers } from '../../helpers/container-invariants.js'
import { eventually } from '../../helpers/eventually.js'
import { startSim } from '../../helpers/govcsim.js'
import { spawnPortlayer, type PortlayerProcess, type ProcessReply } from '../../helpers/portlayer-process.js'
import { RawSoap, type MoRef } from '../../helpers/raw-soap.js'
import { seededRandom } from '../../helpers/seeded-random.js'

const seed = Number(process.env['RESILIENCE_SEED'] ?? 20261122)
const renames = 1_000
const containerCount = 20
const contested = Array.from({ length: 10 }, (_, i) => `prize${i}`)
/** turns (a rename, or a duel of two) in flight at once */
const inFlight = 10
/** share of turns where both processes rename the same container at once, to two different names */
const duelShare = 0.1
/** chance that a container holding a contested name gives it up for its own, freeing it for a race */
const giveBackShare = 0.5

let sim: Govcsim
let soap: RawSoap
let folder: MoRef
let one: PortlayerProcess
let two: PortlayerProcess

interface Racer {
  readonly id: string
  readonly own: string
  /** the name the replies so far say it has */
  name: string
  busy: boolean
  /** how it got that name: the last rename that answered 204 */
  last: string
}

function rename(p: PortlayerProcess, id: string, name: string): Promise<ProcessReply> {
  return p.request('POST', `/v1/containers/${id}/rename?name=${encodeURIComponent(name)}`)
}

async function list(p: PortlayerProcess): Promise<ContainerView[]> {
  const res = await p.request('GET', '/v1/containers?all=true')
  expect(res.status).toBe(200)
  return res.body as ContainerView[]
}

/** What the race left for the tests to judge. */
const race = {
  racers: [] as Racer[],
  sent: 0,
  duels: 0,
  /** replies by status and code */
  replies: {} as Record<string, number>,
  /** 409s answered through the standby: renames the writer refused after the standby forwarded them */
  raced: 0,
  /** replies other than 204 and 409, with what vSphere held when they came */
  wrong: [] as string[],
  samples: { simulator: 0, listed: 0, listedWithTwins: 0 },
  /** what the simulator samples showed broken */
  seenBroken: [] as string[],
}

async function runRace(): Promise<void> {
  const rnd = seededRandom(seed)
  for (let i = 0; i < containerCount; i++) {
    const res = await (i % 2 === 0 ? one : two).request('POST', '/v1/containers', { name: `own${i}` })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const id = (res.body as ContainerView).id
    race.racers.push({ id, own: `own${i}`, name: `own${i}`, busy: false, last: `created on ${i % 2 === 0 ? 'one' : 'two'}` })
  }
  for (const p of [one, two])
    await eventually(async () => expect((await list(p)).length).toBe(containerCount), { timeoutMs: 20_000 })

  const note = async (racer: Racer, what: string, res: ProcessReply): Promise<void> => {
    const body = res.body as { code?: string; message?: string } | undefined
    const key = body?.code ? `${res.status} ${body.code}` : String(res.status)
    race.replies[key] = (race.replies[key] ?? 0) + 1
    if (res.status === 409 && / on two/.test(what)) race.raced++
    if (res.status === 204 || res.status === 409) return
    const held = (await readContainers(soap, folder)).find((c) => c.id === racer.id)?.name
    race.wrong.push(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}; vSphere holds ${held}; it was ${racer.last}`)
  }

  // samples while the renames run: the simulator in one read, and (less often) what each process lists
  let running = true
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
  const samplers = [
    (async () => {
      for (; running; await sleep(10)) {
        race.seenBroken.push(...nameViolations(await readContainers(soap, folder), { settled: false }))
        race.samples.simulator++
      }
    })(),
    (async () => {
      for (; running; await sleep(100)) {
        for (const p of [one, two]) {
          // a process lists a claim as soon as vSphere has it, before it is decided, and lags behind the other
          // process's renames: twins there need not be final, so they are counted, not judged
          const names = (await list(p)).map((c) => c.name)
          race.samples.listed++
          if (new Set(names).size < names.length) race.samples.listedWithTwins++
        }
      }
    })(),
  ]

  const turn = async (racer: Racer): Promise<void> => {
    const others = contested.filter((n) => n !== racer.name)
    if (race.sent + 2 <= renames && rnd.chance(duelShare)) {
      // the same container, both processes, two different contested names
      race.duels++
      race.sent += 2
      const a = rnd.pick(others)
      const b = rnd.pick(others.filter((n) => n !== a))
      const [ra, rb] = await Promise.all([rename(one, racer.id, a), rename(two, racer.id, b)])
      await note(racer, `${racer.name} to ${a} on one (duel)`, ra)
      await note(racer, `${racer.name} to ${b} on two (duel)`, rb)
      if (ra.status === 204 && rb.status === 204) {
        // both went through, one after the other: vSphere says which came last
        const now = (await readContainers(soap, folder)).find((c) => c.id === racer.id)
        expect([a, b], `seed ${seed}: both renames of ${racer.name} answered 204`).toContain(now?.name)
        racer.name = now!.name
        racer.last = `renamed to ${a} on one and to ${b} on two at once`
      } else if (ra.status === 204) [racer.name, racer.last] = [a, `renamed to ${a} on one (duel)`]
      else if (rb.status === 204) [racer.name, racer.last] = [b, `renamed to ${b} on two (duel)`]
      return
    }
    race.sent++
    const name = racer.name !== racer.own && rnd.chance(giveBackShare) ? racer.own : rnd.pick(others)
    const [via, where] = rnd.chance(0.5) ? [one, 'one'] : [two, 'two']
    const res = await rename(via, racer.id, name)
    await note(racer, `${racer.name} to ${name} on ${where}`, res)
    if (res.status === 204) [racer.name, racer.last] = [name, `renamed to ${name} on ${where}`]
  }
  const worker = async (): Promise<void> => {
    while (race.sent < renames) {
      const idle = race.racers.filter((r) => !r.busy)
      if (idle.length === 0) return
      const racer = rnd.pick(idle)
      racer.busy = true
      try {
        await turn(racer)
      } finally {
        racer.busy = false
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: inFlight }, worker))
  } finally {
    running = false
    await Promise.all(samplers)
  }
  const { sent, duels, replies, raced, samples } = race
  console.info(JSON.stringify({ seed, sent, duels, replies, raced, samples }))
}

beforeAll(async () => {
  sim = await startSim()
  soap = await RawSoap.connect(sim.url, sim.username, sim.password)
  folder = { type: 'Folder', value: sim.inventory.datacenters[0]!.vmFolder }
  one = await spawnPortlayer(sim)
  two = await spawnPortlayer(sim, { role: 'any' })
  await runRace()
}, 300_000)

afterAll(async () => {
  await one?.kill('SIGKILL')
  await two?.kill('SIGKILL')
  soap?.close()
  await sim?.stop()
})

describe(`1 000 racing renames from two processes (seed ${seed})`, () => {
  it('answers every rename 204 or 409', () => {
    expect(race.sent).toBe(renames)
    expect(race.wrong, `seed ${seed}: replies other than 204 or 409`).toEqual([])
    expect(race.replies['204'] ?? 0, 'no rename went through').toBeGreaterThan(0)
    expect(race.raced, 'no rename sent to the standby was refused: nothing raced across processes').toBeGreaterThan(0)
  })

  it('never shows a name held for good by two containers while the renames run', () => {
    expect(race.samples.simulator).toBeGreaterThan(0)
    expect(race.seenBroken, `seed ${seed}: seen in the simulator while the renames ran`).toEqual([])
  })

  it('ends with unique names, each the one the replies gave, listed alike by both processes', async () => {
    const want = Object.fromEntries(race.racers.map((r) => [r.id, r.name]))
    const settled = await eventually(
      async () => {
        const now = await readContainers(soap, folder)
        expect(nameViolations(now, { settled: true })).toEqual([])
        return now
      },
      { timeoutMs: 20_000 },
    )
    expect(Object.fromEntries(settled.map((c) => [c.id, c.name])), `seed ${seed}: names the replies did not give`).toEqual(want)
    for (const p of [one, two])
      await eventually(async () => {
        expect(Object.fromEntries((await list(p)).map((c) => [c.id, c.name]))).toEqual(want)
      })
  })
})
