import { describe, expect, it } from 'vitest'
import { linkTargets, planRename, type RenameSubject } from '../../../src/container/rename/plan.js'
import { RefIndex } from '../../../src/container/ref-index.js'

const subject = (
  name: string,
  hex: string,
  networks: RenameSubject['networks'] = { bridge: { aliases: [] } },
  links: string[] = [],
  dataVersion = 10,
): RenameSubject => ({ id: hex.repeat(64).slice(0, 64), name, dataVersion, networks, links })

const world = () =>
  new RefIndex([
    subject('alpha', 'a', { bridge: { aliases: ['beta:db'] } }, ['beta:db']),
    subject('beta', 'b', { bridge: { aliases: [':bee'] } }),
    subject('gamma', 'c', { bridge: { aliases: ['beta:cache'] }, front: { aliases: ['beta:cache', ':c'] } }),
    subject('old', '1', { bridge: { aliases: [] } }, [], 1),
    subject('self', '5', { bridge: { aliases: ['self:me'] } }),
  ])

describe('planning a rename', () => {
  it('renames the container and re-points every link and alias that named it', () => {
    const plan = planRename(world(), 'beta', 'store')
    expect(plan.oldName).toBe('beta')
    expect(plan.newName).toBe('store')
    expect(plan.displayName).toBe(`store-${'b'.repeat(12)}`)
    expect(plan.self).toBeUndefined()
    expect(plan.linked).toEqual([
      { id: 'a'.repeat(64), name: 'alpha', networks: { bridge: ['store:db'] }, links: ['store:db'] },
      { id: 'c'.repeat(64), name: 'gamma', networks: { bridge: ['store:cache'], front: ['store:cache', ':c'] } },
    ])
  })

  it('re-points a link a container holds to itself in its own change', () => {
    const plan = planRename(world(), 'self', 'me2')
    expect(plan.self).toEqual({ id: '5'.repeat(64), name: 'self', networks: { bridge: ['me2:me'] } })
    expect(plan.linked).toEqual([])
  })

  it.each([
    ['beta', '', 'name_empty'],
    ['beta', 'x', 'invalid_name'],
    ['beta', '-x', 'invalid_name'],
    ['beta', 'a b', 'invalid_name'],
    ['nope', 'fine', 'not_found'],
    ['beta', 'beta', 'same_name'],
    ['beta', 'alpha', 'name_conflict'],
    ['old', 'new-name', 'rename_not_supported'],
  ])('refuses renaming %s to %j with %s', (ref, name, kind) => {
    expect(() => planRename(world(), ref, name)).toThrow(expect.objectContaining({ kind }))
  })

  it('says which container holds a conflicting name and that an old container cannot be renamed', () => {
    expect(() => planRename(world(), 'beta', 'alpha')).toThrow(`already in use by container ${'a'.repeat(64)}`)
    expect(() => planRename(world(), 'old', 'x2')).toThrow('container old does not support rename')
  })

  it('accepts names with dots, dashes, underscores, of 2 and of 200 characters', () => {
    for (const name of ['a.b-c_d', 'z1', 'n'.repeat(200)]) {
      const plan = planRename(world(), 'beta', name)
      expect(plan.newName).toBe(name)
      expect(plan.displayName.length).toBeLessThanOrEqual(80)
    }
  })
})

describe('planning a rename from an index that knows who links to whom', () => {
  const indexed = () => {
    const index = new RefIndex<RenameSubject>([], linkTargets)
    for (const s of world().values()) index.put(s)
    return index
  }

  it('finds the same linked containers as a look at every container', () => {
    for (const [ref, to] of [
      ['beta', 'store'],
      ['self', 'me2'],
      ['gamma', 'g2'],
    ] as const)
      expect(planRename(indexed(), ref, to)).toEqual(planRename(world(), ref, to))
  })

  it('forgets a link once the container that held it no longer does', () => {
    const index = indexed()
    const alpha = index.named('alpha')!
    index.put({ ...alpha, networks: { bridge: { aliases: [] } }, links: [] })
    expect(planRename(index, 'beta', 'store').linked.map((l) => l.name)).toEqual(['gamma'])
    index.delete(index.named('gamma')!.id)
    expect(planRename(index, 'beta', 'store').linked).toEqual([])
  })
})
