import { describe, expect, it } from 'vitest'
import { ContainerError } from '../../../src/container/errors.js'
import { RefIndex } from '../../../src/container/ref-index.js'

const c = (id: string, name: string) => ({ id: id.padEnd(64, '0'), name })

describe('finding a container by reference', () => {
  const index = new RefIndex([c('abc1', 'web'), c('abc2', 'db'), c('def', 'abc1x')])

  it('finds by full ID, name and unique prefix', () => {
    expect(index.resolve('abc1'.padEnd(64, '0')).name).toBe('web')
    expect(index.resolve('db').name).toBe('db')
    expect(index.resolve('abc2').name).toBe('db')
    expect(index.resolve('d').name).toBe('abc1x')
  })

  it('prefers an exact name over an ID prefix', () => {
    const named = new RefIndex([c('beef', 'x1'), c('0000', 'beef')])
    expect(named.resolve('beef').id).toBe('0000'.padEnd(64, '0'))
  })

  it('refuses an ambiguous prefix and an unknown reference', () => {
    expect(() => index.resolve('abc')).toThrow(expect.objectContaining({ kind: 'ambiguous_ref' }))
    const err = (() => {
      try {
        index.resolve('nope')
      } catch (e) {
        return e
      }
    })()
    expect(ContainerError.is(err, 'not_found')).toBe(true)
  })

  it('follows renames and removals', () => {
    const live = new RefIndex([c('aa', 'one')])
    live.put({ ...c('aa', ''), name: 'two' })
    expect(live.find('one')).toBeUndefined()
    expect(live.resolve('two').id).toBe('aa'.padEnd(64, '0'))
    live.delete('aa'.padEnd(64, '0'))
    expect(live.find('two')).toBeUndefined()
    expect(live.find('a')).toBeUndefined()
    expect(live.size).toBe(0)
  })
})
