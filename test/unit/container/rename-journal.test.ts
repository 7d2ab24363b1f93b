import { describe, expect, it } from 'vitest'
import { formatJournal, journalKey, readJournal, withJournal, type RenameJournal } from '../../../src/container/rename/journal.js'

const journal: RenameJournal = {
  oldName: 'db',
  newName: 'database',
  linked: ['a'.repeat(64), 'c'.repeat(64)],
  claim: '0123456789abcdef',
  state: 'pending',
}

describe('the rename journal', () => {
  it('lives under a hidden key the guest cannot read', () => {
    expect(journalKey).toBe('portlayer/rename')
    expect(journalKey.startsWith('guestinfo.')).toBe(false)
  })

  it('reads back what was written', () => {
    const map = withJournal(new Map([['common/name', 'database']]), journal)
    expect(readJournal(map)).toEqual(journal)
    expect(readJournal(withJournal(map, { ...journal, state: 'won' }))?.state).toBe('won')
  })

  it('is removed by writing none, leaving the other keys', () => {
    const map = withJournal(new Map([['common/name', 'db']]), journal)
    expect([...withJournal(map, undefined)]).toEqual([['common/name', 'db']])
  })

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['nil', '<nil>'],
    ['not JSON', '{old'],
    ['missing names', JSON.stringify({ linked: [] })],
  ])('is no journal when %s', (_, value) => {
    const map = new Map(value === undefined ? [] : [[journalKey, value]])
    expect(readJournal(map)).toBeUndefined()
  })

  it('reads a journal without a claim or state as undecided', () => {
    const map = new Map([[journalKey, JSON.stringify({ old: 'a1', new: 'b1', linked: ['x', 3] })]])
    expect(readJournal(map)).toEqual({ oldName: 'a1', newName: 'b1', linked: ['x'], claim: '', state: 'pending' })
  })

  it('writes a compact JSON value', () => {
    expect(JSON.parse(formatJournal(journal))).toEqual({
      old: 'db',
      new: 'database',
      linked: journal.linked,
      claim: journal.claim,
      state: 'pending',
    })
  })
})
