// The cross-process rename protocol (src/container/rename/cross-process.ts) as a model: vSphere is a map of
// containers (name and journal), each step of a rename is one atomic operation on it (the claim and every other
// write are compare-and-swaps on one VM, the check is a read of all), and the decisions are made by the real pure
// rules (contest.ts). fast-check runs renames from several processes under random interleavings and checks, after
// every step, that no name is held for good by two containers, and at the end that every rename answered as it
// ended and no journal is left.
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
/** looks after fences while deciding one claim (execute.ts `contestRounds`) */
const contestRounds = 6

let tokens = 0

/** One atomic step of `a`; `decided` is its process's set of claims decided won and not yet written. */
function step(world: World, a: Actor, decided: Set<string>): void {
  const vm = world.get(a.id)!
  switch (a.phase) {
    case 'claim': {
      if (vm.journal && !decided.has(vm.journal.claim)) {
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
      if (j && j.claim === a.fenceTarget!.journal?.claim && j.state === 'pending') target.journal = { ...j, state: 'won' }
      a.phase = 'look'
      return
    }
    case 'undo': {
      const j = vm.journal
      if (!(j && j.claim === a.claim && j.state === 'pending')) {
        // decided won by someone else meanwhile: it stands
        decided.add(a.claim)
        a.phase = 'sweep'
        return
      }
      world.set(a.id, { name: a.oldName })
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
      if (vm.journal?.claim === a.claim) world.set(a.id, { name: vm.name })
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

/** Up to 4 renames of distinct containers, each from one of 2 processes, to a name it does not have yet. */
const scenario = fc
  .uniqueArray(
    fc.record({ container: fc.integer({ min: 0, max: 3 }), target: fc.constantFrom(...names), process: fc.integer({ min: 0, max: 1 }) }),
    { minLength: 2, maxLength: 4, selector: (r) => r.container },
  )
  .map((renames) => renames.filter((r) => names[r.container] !== r.target))
  .filter((renames) => renames.length >= 2)

describe('the cross-process rename protocol, modelled', () => {
  it('never holds one name for good on two containers, and every rename ends as it answered', () => {
    fc.assert(
      fc.property(scenario, fc.infiniteStream(fc.nat()), (renames, picks) => {
        const world: World = new Map(containers.map((id, i) => [id, { name: names[i]! }]))
        const decided = [new Set<string>(), new Set<string>()]
        const actors: Actor[] = renames.map((r) => ({
          id: containers[r.container]!,
          process: r.process,
          oldName: names[r.container]!,
          newName: r.target,
          phase: 'claim',
          round: 1,
          looks: 0,
          claim: '',
        }))
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
          expect(world.get(a.id)!.name, `${a.oldName} → ${a.newName}: ${a.outcome}`).toBe(
            a.outcome === 'won' ? a.newName : a.oldName,
          )
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
    const decided = [new Set<string>(), new Set<string>()]
    const actors: Actor[] = ['x', 'y'].map((c, i) => ({
      id: c.repeat(8),
      process: i,
      oldName: c,
      newName: 'shared',
      phase: 'claim',
      round: 1,
      looks: 0,
      claim: '',
    }))
    // lockstep: both claim, both look (each sees the other), both undo; then the lower ID claims again
    for (let i = 0; i < 40 && actors.some((a) => a.phase !== 'done'); i++) for (const a of actors) step(world, a, decided[a.process]!)
    expect(actors.map((a) => a.outcome)).toEqual(['won', 'lost'])
    expect(world.get('x'.repeat(8))?.name).toBe('shared')
  })
})
