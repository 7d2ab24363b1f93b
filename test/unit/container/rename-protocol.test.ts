// The cross-process name protocol (src/container/rename/cross-process.ts) as a model: vSphere is a map of
// containers (name and journal), each step of a rename or a create is one atomic operation on it (a rename's claim
// and every other write are compare-and-swaps on one VM, a create's claim makes the VM with its pending journal, a
// losing create destroys it, the check is a read of all), and the decisions are made by the real pure rules
// (contest.ts). fast-check runs renames and creates from several processes under random interleavings and checks,
// after every step, that no name is held for good by two containers, and at the end that every claim answered as it
// ended (a lost create leaves no VM) and no journal is left.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contest, isDecided, type NameHolder } from '../../../src/container/rename/contest.js'
import type { RenameJournal } from '../../../src/container/rename/journal.js'

interface Vm {
  name: string
  journal?: RenameJournal
}
type World = Map<string, Vm>

type Phase = 'claim' | 'look' | 'fence' | 'undo' | 'sweep' | 'done'

interface Actor {
  readonly id: string
  /** a create: no VM before the claim, old name '' */
  readonly create: boolean
  readonly process: number
  readonly oldName: string
  readonly newName: string
  phase: Phase
  round: number
  looks: number
  claim: string
  fenceTarget?: NameHolder
  lostTo?: { holder: NameHolder; final: boolean }
  outcome?: 'won' | 'lost' | 'busy'
}

/** claims made again by the lower-ranked of two claims that saw each other (execute.ts `rivalRounds`) */
const rivalRounds = 4
/** looks after fences while deciding one claim (cross-process.ts `contestRounds`) */
const contestRounds = 6

let tokens = 0

/** One atomic step of `a`; `decided` is its process's set of claims decided won and not yet written. */
function step(world: World, a: Actor, decided: Set<string>): void {
  const vm = world.get(a.id)
  switch (a.phase) {
    case 'claim': {
      if (vm?.journal && !decided.has(vm.journal.claim)) {
        a.outcome = 'busy'
        a.phase = 'done'
        return
      }
      a.claim = `t${++tokens}`
      world.set(a.id, {
        name: a.newName,
        journal: { oldName: a.oldName, newName: a.newName, linked: [], claim: a.claim, state: 'pending' },
      })
      a.phase = 'look'
      a.looks = 0
      return
    }
    case 'look': {
      const others: NameHolder[] = [...world]
        .filter(([id]) => id !== a.id)
        .map(([id, v]) => ({ id, name: v.name, ...(v.journal ? { journal: { ...v.journal } } : {}) }))
      const verdict = contest({ id: a.id, oldName: a.oldName, newName: a.newName }, others, decided)
      a.looks++
      if (verdict.kind === 'won') {
        decided.add(a.claim)
        a.phase = 'sweep'
      } else if (verdict.kind === 'fence' && a.looks < contestRounds) {
        a.fenceTarget = verdict.holder
        a.phase = 'fence'
      } else {
        a.lostTo = { holder: verdict.holder, final: verdict.kind === 'lost' && verdict.final }
        a.phase = 'undo'
      }
      return
    }
    case 'fence': {
      const target = world.get(a.fenceTarget!.id)!
      const j = target.journal
      // a create never leaves a name, so no fence ever decides one: its owner alone does (create.ts)
      expect(j?.oldName).not.toBe('')
      if (j && j.claim === a.fenceTarget!.journal?.claim && j.state === 'pending') target.journal = { ...j, state: 'won' }
      a.phase = 'look'
      return
    }
    case 'undo': {
      const j = vm?.journal
      if (a.create) {
        // no CAS: nobody but the owner decides a create, so its journal is still its own and pending
        expect(j?.claim).toBe(a.claim)
        expect(j?.state).toBe('pending')
        world.delete(a.id)
      } else if (!(j && j.claim === a.claim && j.state === 'pending')) {
        // decided won by someone else meanwhile: it stands
        decided.add(a.claim)
        a.phase = 'sweep'
        return
      } else {
        world.set(a.id, { name: a.oldName })
      }
      const { holder, final } = a.lostTo!
      const ranksFirst = !final && holder.journal?.newName === a.newName && a.id < holder.id
      if (ranksFirst && a.round < rivalRounds) {
        a.round++
        a.phase = 'claim'
      } else {
        a.outcome = 'lost'
        a.phase = 'done'
      }
      return
    }
    case 'sweep': {
      if (vm?.journal?.claim === a.claim) world.set(a.id, { name: vm.name })
      decided.delete(a.claim)
      a.outcome = 'won'
      a.phase = 'done'
      return
    }
    case 'done':
      return
  }
}

/** Names held for good by more than one container: by name, or by a decided (written or silent) claim. */
function doubleHolders(world: World, decided: readonly Set<string>[]): string[] {
  const counts = new Map<string, number>()
  for (const vm of world.values()) {
    const j = vm.journal
    const forGood = !j || isDecided(j, new Set(decided.flatMap((d) => [...d])))
    if (forGood) counts.set(vm.name, (counts.get(vm.name) ?? 0) + 1)
  }
  return [...counts].filter(([, n]) => n > 1).map(([name]) => name)
}

const containers = ['a', 'b', 'c', 'd'].map((c) => c.repeat(8))
const names = ['a', 'b', 'c', 'd', 'n', 'm']
/** IDs of created containers: one ranks below every existing container, one above */
const createdIds = ['0'.repeat(8), 'e'.repeat(8)]

/**
 * Up to 4 renames of distinct containers, each from one of 2 processes, to a name it does not have yet, and up to 2
 * creates, each of any name.
 */
const scenario = fc
  .record({
    renames: fc
      .uniqueArray(
        fc.record({ container: fc.integer({ min: 0, max: 3 }), target: fc.constantFrom(...names), process: fc.integer({ min: 0, max: 1 }) }),
        { maxLength: 4, selector: (r) => r.container },
      )
      .map((renames) => renames.filter((r) => names[r.container] !== r.target)),
    creates: fc.array(fc.record({ target: fc.constantFrom(...names), process: fc.integer({ min: 0, max: 1 }) }), { maxLength: 2 }),
  })
  .filter(({ renames, creates }) => renames.length + creates.length >= 2)

function renamer(id: string, process: number, oldName: string, newName: string): Actor {
  return { id, create: false, process, oldName, newName, phase: 'claim', round: 1, looks: 0, claim: '' }
}

function creator(id: string, process: number, newName: string): Actor {
  return { id, create: true, process, oldName: '', newName, phase: 'claim', round: 1, looks: 0, claim: '' }
}

/** Runs `actors` in lockstep until all are done. */
function lockstep(world: World, actors: readonly Actor[]): void {
  const decided = [new Set<string>(), new Set<string>()]
  for (let i = 0; i < 40 && actors.some((a) => a.phase !== 'done'); i++) for (const a of actors) step(world, a, decided[a.process]!)
}

describe('the cross-process rename protocol, modelled', () => {
  // 3000 interleavings take a few seconds of CPU, more on a busy CI machine
  it('never holds one name for good on two containers, and every rename and create ends as it answered', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(scenario, fc.infiniteStream(fc.nat()), ({ renames, creates }, picks) => {
        const world: World = new Map(containers.map((id, i) => [id, { name: names[i]! }]))
        const decided = [new Set<string>(), new Set<string>()]
        const actors: Actor[] = [
          ...renames.map((r) => renamer(containers[r.container]!, r.process, names[r.container]!, r.target)),
          ...creates.map((c, i) => creator(createdIds[i]!, c.process, c.target)),
        ]
        const pick = picks[Symbol.iterator]()
        for (let steps = 0; steps < 500; steps++) {
          const live = actors.filter((a) => a.phase !== 'done')
          if (live.length === 0) break
          const a = live[pick.next().value! % live.length]!
          step(world, a, decided[a.process]!)
          expect(doubleHolders(world, decided)).toEqual([])
        }
        expect(actors.every((a) => a.phase === 'done')).toBe(true)
        const final = [...world.values()].map((vm) => vm.name)
        expect(new Set(final).size).toBe(final.length)
        for (const vm of world.values()) expect(vm.journal).toBeUndefined()
        for (const a of actors) {
          const label = `${a.create ? 'create' : a.oldName} → ${a.newName}: ${a.outcome}`
          if (a.create && a.outcome !== 'won') expect(world.has(a.id), label).toBe(false)
          else expect(world.get(a.id)?.name, label).toBe(a.outcome === 'won' ? a.newName : a.oldName)
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('gives a name two renames race for to exactly one of them when they run step for step', () => {
    const world: World = new Map([
      ['x'.repeat(8), { name: 'x' }],
      ['y'.repeat(8), { name: 'y' }],
    ])
    const actors = ['x', 'y'].map((c, i) => renamer(c.repeat(8), i, c, 'shared'))
    // lockstep: both claim, both look (each sees the other), both undo; then the lower ID claims again
    lockstep(world, actors)
    expect(actors.map((a) => a.outcome)).toEqual(['won', 'lost'])
    expect(world.get('x'.repeat(8))?.name).toBe('shared')
  })

  it('gives a name two creates race for step for step to the lower ID, and removes the other VM', () => {
    const world: World = new Map()
    const actors = [creator('9'.repeat(8), 0, 'shared'), creator('1'.repeat(8), 1, 'shared')]
    lockstep(world, actors)
    expect(actors.map((a) => a.outcome)).toEqual(['lost', 'won'])
    expect([...world]).toEqual([['1'.repeat(8), { name: 'shared' }]])
  })

  it('gives a name a rename and a create race for step for step to the lower ID, from either side', () => {
    for (const [createId, winner] of [
      ['0'.repeat(8), 'create'],
      ['z'.repeat(8), 'rename'],
    ] as const) {
      const world: World = new Map([['x'.repeat(8), { name: 'x' }]])
      const actors = [renamer('x'.repeat(8), 0, 'x', 'shared'), creator(createId, 1, 'shared')]
      lockstep(world, actors)
      expect(actors.map((a) => a.outcome)).toEqual(winner === 'create' ? ['lost', 'won'] : ['won', 'lost'])
      expect(world.get('x'.repeat(8))?.name).toBe(winner === 'create' ? 'x' : 'shared')
      expect(world.has(createId)).toBe(winner === 'create')
    }
  })
})
