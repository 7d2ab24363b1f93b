// kill -9 of `portlayer serve` at random points of a rename, 20 times on one simulator, each run's restart serving
// the next. The point is a seeded draw of the SOAP call the process dies on (counted by the fault proxy in front of
// the simulator, kill-switch.ts) and of whether that call reached vSphere; the draws cover every call of the rename
// and the moment after its reply, so kills land before the claim, on it, on its check, while linked containers are
// re-pointed, on the journal's removal, and after the answer. After each restart, read on its own from the
// simulator: every display name is `name-shortID` of `common/name`, names are unique, no link names a missing
// container, no rename journal is left, a rename that answered 204 stands, and the restarted service lists what
// vSphere holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { nameViolations, readContainers, type NamedContainer } from '../../helpers/container-invariants.js'
import { eventually } from '../../helpers/eventually.js'
import { FaultProxy } from '../../helpers/fault-proxy.js'
import { startSim } from '../../helpers/govcsim.js'
import { armKill } from '../../helpers/kill-switch.js'
import { standbyPortlayer, type PortlayerProcess, type ProcessReply, type StandbyPortlayer } from '../../helpers/portlayer-process.js'
import { RawSoap, type MoRef } from '../../helpers/raw-soap.js'
import { seededRandom } from '../../helpers/seeded-random.js'

const seed = Number(process.env['RESILIENCE_SEED'] ?? 20261122)
const heads = 3
const members = 6
/** SOAP calls of an uncontended rename, its reply included: claim, check, journal removal; a linked one re-points
 * each linked container (a reconfigure and the read of its task) and reads them first */
const unlinkedCalls = 3
const linkedCalls = 9
/** kills drawn past the last call: the process dies after it answered */
const afterReply = 2
/** how long the process may go on after its reply (the journal removal is not awaited) before it is killed anyway */
const afterReplyMs = 150

let sim: Govcsim
let soap: RawSoap
let proxy: FaultProxy
let folder: MoRef
let child: PortlayerProcess | undefined
/** the next process, loaded while the current one works, so a restart costs only the start itself */
let next: Promise<StandbyPortlayer> | undefined

/** `portlayer serve` on the simulator, reaching it through the proxy; it listens once its start-up recovery ran. */
async function serve(): Promise<PortlayerProcess> {
  const standby = await (next ?? standbyPortlayer({ ...sim, url: proxy.url }))
  next = standbyPortlayer({ ...sim, url: proxy.url })
  child = await standby.go()
  return child
}

async function created(body: object): Promise<void> {
  const res = await child!.request('POST', '/v1/containers', body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
}

beforeAll(async () => {
  sim = await startSim()
  soap = await RawSoap.connect(sim.url, sim.username, sim.password)
  proxy = await FaultProxy.start(sim.url)
  folder = { type: 'Folder', value: sim.inventory.datacenters[0]!.vmFolder }
  await serve()
  // every head is named in the links of two members: renaming a head re-points them
  for (let i = 0; i < heads; i++) await created({ name: `head${i}`, networks: { bridge: {} } })
  for (let i = 0; i < members; i++)
    await created({ name: `member${i}`, networks: { bridge: {} }, links: [`head${i % heads}:up`] })
})

afterAll(async () => {
  proxy?.clear()
  await child?.kill('SIGKILL')
  await (await next)?.kill()
  await proxy?.stop()
  soap?.close()
  await sim?.stop()
})

type Moment = 'before' | 'inside' | 'after'

/** Where the kill landed, told by what vSphere held at that moment. */
function momentOf(target: NamedContainer | undefined, newName: string): Moment {
  if (target?.journal && target.journal.oldName !== '') return 'inside'
  return target?.name === newName ? 'after' : 'before'
}

describe(`kill -9 at random points of a rename (seed ${seed})`, () => {
  it('20 kills: after each restart names and links are whole and every 204 stands', { timeout: 180_000 }, async () => {
    const rnd = seededRandom(seed)
    // every call of each kind of rename, and the moment after its reply, is drawn before any is drawn twice
    const linkedPoint = rnd.bag(linkedCalls + afterReply)
    const unlinkedPoint = rnd.bag(unlinkedCalls + afterReply)
    const kinds = rnd.shuffle([...Array<string>(12).fill('linked'), ...Array<string>(8).fill('unlinked')])
    const moments: Record<Moment, number> = { before: 0, inside: 0, after: 0 }
    const killedOn: Record<string, number> = {}

    for (const [run, kind] of kinds.entries()) {
      const world = await readContainers(soap, folder)
      const linkedTo = new Set(world.flatMap((c) => c.linksTo))
      const candidates = world.filter((c) => linkedTo.has(c.name) === (kind === 'linked'))
      const target = rnd.pick(candidates)
      const newName = `renamed${run}`
      const at = kind === 'linked' ? linkedPoint() : unlinkedPoint()
      const deliver = rnd.chance(0.5)
      const point = `kill on call ${at} (${deliver ? 'delivered' : 'dropped'})`
      const story = `seed ${seed}, run ${run}: rename ${target.name} (${target.moref}) to ${newName}, ${point}`

      const kill = armKill(proxy, child!.pid, { at, deliver })
      let reply: ProcessReply | undefined
      const answered = child!.request('POST', `/v1/containers/${target.id}/rename?name=${newName}`).then(
        (res) => void (reply = res),
        () => undefined,
      )
      await Promise.race([answered, kill.fired])
      if (!kill.hasFired) {
        // it answered first: the kill lands after the reply, maybe on the journal's removal
        await Promise.race([kill.fired, new Promise((resolve) => setTimeout(resolve, afterReplyMs))])
        kill.now()
      }
      await child!.kill('SIGKILL')
      await answered
      kill.disarm()
      if (reply) expect(reply.status, `${story}: ${JSON.stringify(reply.body)}`).toBe(204)
      killedOn[kill.killedOn ?? 'after the reply'] = (killedOn[kill.killedOn ?? 'after the reply'] ?? 0) + 1

      const atKill = await readContainers(soap, folder)
      const moment = momentOf(
        atKill.find((c) => c.id === target.id),
        newName,
      )
      moments[moment]++

      const restarted = await serve()
      const now = await readContainers(soap, folder)
      // settled: no rename journal is left (a create's may stay: it holds only its container's name)
      expect(nameViolations(now, { settled: true }), story).toEqual([])
      const renamed = now.find((c) => c.id === target.id)
      expect([target.name, newName], story).toContain(renamed?.name)
      if (reply?.status === 204) expect(renamed?.name, `${story}: the rename answered 204`).toBe(newName)
      if (moment === 'inside') {
        const said = ['finished an interrupted rename', 'undid an interrupted rename']
        const settled = restarted.logs().some((l) => said.includes(String(l['msg'])))
        expect(settled, `${story}: the restart did not say it settled the rename`).toBe(true)
      }
      // the restarted service serves what vSphere holds
      const want = Object.fromEntries(now.map((c) => [c.id, c.name]))
      await eventually(async () => {
        const listed = await restarted.request('GET', '/v1/containers?all=true')
        expect(listed.status).toBe(200)
        const names = Object.fromEntries((listed.body as Array<{ id: string; name: string }>).map((c) => [c.id, c.name]))
        expect(names, story).toEqual(want)
      })
    }

    console.info(JSON.stringify({ seed, moments, killedOn }))
    // the draws cover the whole rename: some kills before anything was written, some between its steps, some after
    expect(moments.inside, 'no kill landed inside a rename').toBeGreaterThan(0)
    expect(moments.before, 'no kill landed before a rename wrote anything').toBeGreaterThan(0)
    expect(moments.after, 'no kill landed after a rename was done').toBeGreaterThan(0)
  })
})
