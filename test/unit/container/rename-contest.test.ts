import { describe, expect, it } from 'vitest'
import { contest, isFree, namesHeld, type NameHolder } from '../../../src/container/rename/contest.js'
import type { RenameJournal } from '../../../src/container/rename/journal.js'

const id = (c: string): string => c.repeat(64)
const journal = (oldName: string, newName: string, claim: string, state: RenameJournal['state'] = 'pending'): RenameJournal => ({
  oldName,
  newName,
  linked: [],
  claim,
  state,
})
const holder = (c: string, name: string, j?: RenameJournal): NameHolder => ({ id: id(c), name, ...(j ? { journal: j } : {}) })
const none = new Set<string>()

describe('the names a container holds', () => {
  it('is its name, or both names while an undecided rename is open', () => {
    expect(namesHeld(holder('a', 'web'), none)).toEqual(['web'])
    expect(namesHeld(holder('a', 'web2', journal('web', 'web2', 'k1')), none)).toEqual(['web', 'web2'])
    expect(namesHeld(holder('a', 'web2', journal('web', 'web2', 'k1', 'won')), none)).toEqual(['web2'])
    // decided by this process and not written down yet
    expect(namesHeld(holder('a', 'web2', journal('web', 'web2', 'k1')), new Set(['k1']))).toEqual(['web2'])
  })

  it('tells whether a name is free of everyone but one container', () => {
    const world = [holder('a', 'web'), holder('b', 'db2', journal('db', 'db2', 'k'))]
    expect(isFree('web', id('a'), world, none)).toBe(true)
    expect(isFree('web', id('b'), world, none)).toBe(false)
    expect(isFree('db', id('c'), world, none)).toBe(false)
    expect(isFree('cache', id('c'), world, none)).toBe(true)
  })
})

describe('deciding a claim', () => {
  const claim = { id: id('c'), oldName: 'old', newName: 'web' }

  it('wins when no other container holds the name', () => {
    expect(contest(claim, [holder('a', 'db'), holder('b', 'x2', journal('x', 'x2', 'k'))], none)).toEqual({ kind: 'won' })
  })

  it('ignores the claimant itself among the containers', () => {
    expect(contest(claim, [holder('c', 'web', journal('old', 'web', 'mine'))], none)).toEqual({ kind: 'won' })
  })

  it('loses for good to a container that has the name', () => {
    for (const rival of [
      holder('a', 'web'),
      holder('a', 'web', journal('before', 'web', 'k', 'won')),
      holder('a', 'web', journal('before', 'web', 'k')),
    ]) {
      const decided = rival.journal?.state === 'pending' ? new Set(['k']) : none
      expect(contest(claim, [rival], decided)).toEqual({ kind: 'lost', holder: rival, final: true })
    }
  })

  it('loses to a rival pending claim on the same name, naming the rival with the lowest ID', () => {
    const rivals = [holder('e', 'web', journal('e0', 'web', 'k1')), holder('b', 'web', journal('b0', 'web', 'k2'))]
    expect(contest(claim, rivals, none)).toEqual({ kind: 'lost', holder: rivals[1], final: false })
  })

  it('settles first a pending rename away from the name when its own new name is free', () => {
    const leaving = holder('a', 'web2', journal('web', 'web2', 'k'))
    expect(contest(claim, [leaving, holder('b', 'db')], none)).toEqual({ kind: 'fence', holder: leaving })
  })

  it('loses to a pending rename away from the name whose new name is contested', () => {
    // a swap: it goes to our old name, which our own claim still holds
    const swapping = holder('a', 'old', journal('web', 'old', 'k'))
    expect(contest(claim, [swapping], none)).toEqual({ kind: 'lost', holder: swapping, final: false })
    // or someone else has its new name
    const leaving = holder('a', 'db', journal('web', 'db', 'k'))
    expect(contest(claim, [leaving, holder('b', 'db')], none)).toEqual({ kind: 'lost', holder: leaving, final: false })
  })

  it('prefers losing for good over a rival claim, and a rival claim over settling someone', () => {
    const final = holder('a', 'web')
    const rival = holder('b', 'web', journal('b0', 'web', 'k1'))
    const leaving = holder('d', 'free', journal('web', 'free', 'k2'))
    expect(contest(claim, [leaving, rival, final], none)).toMatchObject({ kind: 'lost', holder: final, final: true })
    expect(contest(claim, [leaving, rival], none)).toMatchObject({ kind: 'lost', holder: rival, final: false })
  })
})
