// Two portlayer services on one vCenter giving one name at the same moment, by two creates, or by a rename in one
// and a create in the other: the standby forwards its writes to the writer, which decides names in memory. Every
// reply must be 201/204 or 409 `name_conflict`, the simulator (read on its own) must hold the name on exactly one
// container, no journal may be left, and a losing create must leave no VM behind.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { containersApi, type ApiReply } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import type { Portlayer } from '../../helpers/portlayer.js'
import { duplicateNames, rename, simContainers, type SimContainer, useTwoProcesses } from './support.js'

describe('two processes creating, or renaming and creating, one name', () => {
  const w = useTwoProcesses()

  const newId = (): string => randomBytes(32).toString('hex')

  it('has one writer, the other process forwarding to it', () => {
    expect([w.one.role, w.two.role]).toEqual(['writer', 'standby'])
  })

  async function create(pl: Portlayer, id: string, name: string): Promise<ApiReply<{ code?: string; message?: string }>> {
    return containersApi(() => pl).create({ id, name })
  }

  /** The simulator once no rename or create journal is left on any container. */
  async function settled(): Promise<SimContainer[]> {
    return eventually(async () => {
      const now = await simContainers(w.soap, w.one)
      expect(now.filter((c) => c.extraConfig.has('portlayer/rename')).map((c) => c.id)).toEqual([])
      return now
    })
  }

  /** Checks the round: one container holds `name`, no duplicates, the losers' VMs are gone, both caches agree. */
  async function judge(
    name: string,
    replies: ReadonlyArray<{ status: number; body?: { code?: string } | undefined }>,
    claimants: ReadonlyArray<{ id: string; won: boolean; create: boolean }>,
  ): Promise<void> {
    for (const r of replies) expect([201, 204, 409], JSON.stringify(r.body)).toContain(r.status)
    for (const r of replies) if (r.status === 409) expect(r.body?.code).toBe('name_conflict')
    expect(replies.filter((r) => r.status !== 409).length).toBe(1)
    const now = await settled()
    expect(duplicateNames(now)).toEqual([])
    const holders = now.filter((c) => c.containerName === name)
    expect(holders.map((c) => c.id)).toEqual(claimants.filter((w) => w.won).map((w) => w.id))
    const ids = new Set(now.map((c) => c.id))
    for (const w of claimants) if (!w.won && w.create) expect(ids.has(w.id), `lost create ${w.id}`).toBe(false)
    for (const pl of [w.one, w.two])
      await eventually(async () => {
        const listed = (await containersApi(() => pl).list(true)).body.filter((c) => c.name === name)
        expect(listed.map((c) => c.id)).toEqual(holders.map((c) => c.id))
      })
  }

  it('gives a name two creates race for to exactly one of them, and removes the other VM', { timeout: 180_000 }, async () => {
    const before = (await settled()).length
    let made = 0
    for (let round = 0; round < 10; round++) {
      const name = `born${round}`
      const ids = [newId(), newId()]
      const replies = await Promise.all([create(w.one, ids[0]!, name), create(w.two, ids[1]!, name)])
      await judge(
        name,
        replies,
        ids.map((id, i) => ({ id, won: replies[i]!.status === 201, create: true })),
      )
      made++
    }
    // every round made one container, and no losing create left a VM
    expect((await settled()).length).toBe(before + made)
  })

  it('gives a name a rename and a create race for to exactly one of them', { timeout: 180_000 }, async () => {
    const before = (await settled()).length
    let made = 0
    for (let round = 0; round < 10; round++) {
      const name = `taken${round}`
      const x = await containersApi(() => w.one).created({ name: `mover${round}` })
      await eventually(async () => expect((await containersApi(() => w.two).inspect(x.id)).status).toBe(200))
      const id = newId()
      // alternate which process renames, so each kind of claim meets the other from both sides
      const [renamer, creator] = round % 2 === 0 ? [w.one, w.two] : [w.two, w.one]
      const replies = await Promise.all([rename(renamer, x.id, name), create(creator, id, name)])
      await judge(name, replies, [
        { id: x.id, won: replies[0]!.status === 204, create: false },
        { id, won: replies[1]!.status === 201, create: true },
      ])
      made += 1 + (replies[1]!.status === 201 ? 1 : 0)
      // the renamed container kept its old name when it lost
      if (replies[0]!.status === 409)
        expect((await settled()).find((c) => c.id === x.id)?.containerName).toBe(`mover${round}`)
    }
    expect((await settled()).length).toBe(before + made)
  })
})
