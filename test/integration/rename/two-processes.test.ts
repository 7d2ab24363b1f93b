// Two portlayer services on one vCenter, each with its own cache, renaming different containers to the same name
// at the same moment: the first holds the writer lease, the second is a standby and forwards its renames to the
// writer, which decides every name in memory. Every reply must be 204 or 409, exactly one 204 per name, the
// simulator (read on its own) must never hold one name on two containers, and both caches must come to agree with
// it, the standby's through its own update loop.
import { describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import type { Portlayer } from '../../helpers/portlayer.js'
import { duplicateNames, rename, simContainers, useTwoProcesses } from './support.js'

describe('two processes renaming to one name', () => {
  const w = useTwoProcesses()

  /** Containers made through `pl`, once both services list them. */
  async function make(pl: Portlayer, prefix: string, n: number): Promise<ContainerView[]> {
    const made: ContainerView[] = []
    for (let i = 0; i < n; i++) made.push(await containersApi(() => pl).created({ name: `${prefix}${i}` }))
    for (const other of [w.one, w.two])
      await eventually(async () => {
        for (const c of made) expect((await containersApi(() => other).inspect(c.id)).status).toBe(200)
      })
    return made
  }

  /** What the simulator says once no rename journal is left on the containers. */
  async function settled(ids: readonly string[]) {
    return eventually(async () => {
      const now = (await simContainers(w.soap, w.one)).filter((c) => ids.includes(c.id))
      expect(now.filter((c) => c.extraConfig.has('portlayer/rename')).map((c) => c.id)).toEqual([])
      return now
    })
  }

  /** Both services list the containers under the names the simulator holds. */
  async function agree(truth: ReadonlyArray<{ id: string; containerName: string }>): Promise<void> {
    const want = Object.fromEntries(truth.map((c) => [c.id, c.containerName]))
    for (const pl of [w.one, w.two])
      await eventually(async () => {
        const listed = (await containersApi(() => pl).list(true)).body.filter((c) => c.id in want)
        expect(Object.fromEntries(listed.map((c) => [c.id, c.name]))).toEqual(want)
      })
  }

  it('makes the first process the writer and the second a standby', () => {
    expect([w.one.role, w.two.role]).toEqual(['writer', 'standby'])
  })

  it('gives each name to one container at most, one pair at a time', { timeout: 120_000 }, async () => {
    const [x] = await make(w.one, 'left', 1)
    const [y] = await make(w.two, 'right', 1)
    for (let round = 0; round < 12; round++) {
      const name = `shared${round}`
      const replies = await Promise.all([rename(w.one, x!.id, name), rename(w.two, y!.id, name)])
      for (const r of replies) expect([204, 409], JSON.stringify(r.body)).toContain(r.status)
      expect(replies.filter((r) => r.status === 204).length).toBe(1)
      for (const r of replies) if (r.status === 409) expect(r.body?.code).toBe('name_conflict')

      const now = await settled([x!.id, y!.id])
      expect(duplicateNames(now)).toEqual([])
      const holders = now.filter((c) => c.containerName === name)
      expect(holders.length).toBe(replies.filter((r) => r.status === 204).length)
      for (const c of now) expect(c.name).toBe(`${c.containerName.slice(0, 67)}-${c.id.slice(0, 12)}`)
      await agree(now)
    }
  })

  it('gives one name to one of ten containers racing from both processes', { timeout: 120_000 }, async () => {
    const mine = await make(w.one, 'east', 5)
    const theirs = await make(w.two, 'west', 5)
    for (let round = 0; round < 4; round++) {
      const name = `prize${round}`
      const replies = await Promise.all([
        ...mine.map((c) => rename(w.one, c.id, name)),
        ...theirs.map((c) => rename(w.two, c.id, name)),
      ])
      for (const r of replies) expect([204, 409], JSON.stringify(r.body)).toContain(r.status)
      const winners = replies.filter((r) => r.status === 204).length
      expect(winners).toBe(1)
      const now = await settled([...mine, ...theirs].map((c) => c.id))
      expect(duplicateNames(now)).toEqual([])
      expect(now.filter((c) => c.containerName === name).length).toBe(winners)
      await agree(now)
    }
  })

  it('renames a container back to a name the other process just took from it, before its cache has heard', async () => {
    const [c] = await make(w.one, 'back', 1)
    expect((await rename(w.two, c!.id, 'back-away')).status).toBe(204)
    // process one may still hold the container as back0, which would refuse "already has the name"
    const back = await rename(w.one, c!.id, 'back0')
    expect(back.status, JSON.stringify(back.body)).toBe(204)
    const [now] = (await simContainers(w.soap, w.one)).filter((x) => x.id === c!.id)
    expect(now?.containerName).toBe('back0')
  })
})
