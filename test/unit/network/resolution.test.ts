import { describe, expect, it } from 'vitest'
import { linksTo, parseAlias, repointEntries } from '../../../src/network/alias.js'
import { networkView, resolve, type NetworkMember } from '../../../src/network/resolution.js'

const member = (name: string, networks: NetworkMember['networks'], links: string[] = []): NetworkMember => ({
  id: `${name.padEnd(12, '0')}${'f'.repeat(52)}`.slice(0, 64),
  shortId: name.padEnd(12, '0').slice(0, 12),
  name,
  networks,
  links,
})

describe('aliases', () => {
  it('reads network aliases and links', () => {
    expect(parseAlias(':webalias')).toEqual({ container: '', alias: 'webalias' })
    expect(parseAlias('db:database')).toEqual({ container: 'db', alias: 'database' })
  })

  it('re-points only the entries that name the old container', () => {
    expect(repointEntries(['db:database', ':web', 'dbx:x', 'db:db'], 'db', 'store')).toEqual([
      'store:database',
      ':web',
      'dbx:x',
      'store:db',
    ])
    expect(repointEntries([':db', 'cache:db'], 'db', 'store')).toBeUndefined()
    expect(linksTo(['cache:db'], 'cache')).toBe(true)
    expect(linksTo([':cache'], 'cache')).toBe(false)
  })
})

describe('network view', () => {
  const b = member('b', { bridge: { aliases: [':bee'] } })
  const a = member('a', { bridge: { aliases: [] } }, ['b:db'])
  const c = member('c', { bridge: { aliases: ['b:cache'] }, front: { aliases: ['b:cache', 'gone:x'] } })

  it('lists who answers to which name', () => {
    const view = networkView('bridge', [a, b, c])!
    expect(view.endpoints.map((e) => e.container)).toEqual(['a', 'b', 'c'])
    expect(view.endpoints[1]!.names).toEqual(['b', b.shortId, 'bee'])
    expect(view.endpoints[0]!.links).toEqual({ db: 'b' })
    expect(view.endpoints[2]!.links).toEqual({ cache: 'b' })
  })

  it('resolves links, names, short IDs and aliases', () => {
    const view = networkView('bridge', [a, b, c])!
    expect(resolve(view, 'a', 'db')).toBe('b')
    expect(resolve(view, 'a', 'bee')).toBe('b')
    expect(resolve(view, 'a', b.shortId)).toBe('b')
    expect(resolve(view, 'a', 'cache')).toBeUndefined()
  })

  it('drops links to containers that are not on the network', () => {
    const view = networkView('front', [a, b, c])!
    expect(view.endpoints).toHaveLength(1)
    expect(view.endpoints[0]!.links).toEqual({})
    expect(networkView('nowhere', [a, b, c])).toBeUndefined()
  })
})
