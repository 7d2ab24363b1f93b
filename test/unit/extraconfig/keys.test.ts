import { describe, expect, it } from 'vitest'

import {
  Scope,
  annotationKey,
  appendToKey,
  childKey,
  containerKey,
  containerKeys,
  encode,
  hiddenKey,
  keyOf,
  keyScope,
  networkAliasesKey,
  networkAliasesValuesKey,
  scopeWords,
  sliceValuesKey,
  writableWhileRunning,
} from '../../../src/extraconfig/index.js'
import { embedded, int, map, pointer, slice, string, struct, tagged, untagged } from '../../../src/extraconfig/schema.js'
import { scopeFromTag } from '../../../src/extraconfig/scope.js'

const keysOf = (node: Parameters<typeof encode>[0], value: unknown): Record<string, string> =>
  Object.fromEntries(encode(node, value))

describe('scopes', () => {
  it('reads VIC scope tags, an empty tag being hidden|read-only and secret implying read-only', () => {
    expect(scopeFromTag('')).toBe(Scope.Hidden | Scope.ReadOnly)
    expect(scopeFromTag('read-only,non-persistent')).toBe(Scope.ReadOnly | Scope.NonPersistent)
    expect(scopeFromTag('secret')).toBe(Scope.Secret | Scope.ReadOnly)
    expect(scopeFromTag('read-only,sometimes')).toBe(Scope.Invalid)
  })

  it('infers the scope back from a key as VIC does', () => {
    expect(scopeWords(keyScope('common/name'))).toEqual(['hidden', 'read-only'])
    expect(scopeWords(keyScope('annotations'))).toEqual(['hidden', 'read-write'])
    expect(scopeWords(keyScope('guestinfo.vice./common/id'))).toEqual(['read-only'])
    expect(scopeWords(keyScope('guestinfo.vice..createtime'))).toEqual(['read-write'])
    expect(scopeWords(keyScope('guestinfo.vice./np|e1/ro@non-persistent'))).toEqual(['read-only', 'non-persistent'])
    expect(scopeWords(keyScope('guestinfo.vice./s@secret'))).toEqual(['read-only', 'secret'])
    // secret implies read-only even where the separator says read-write
    expect(scopeWords(keyScope('guestinfo.vice..s@secret'))).toEqual(['read-only', 'read-write', 'secret'])
  })

  it('lets a running VM be sent hidden and non-persistent keys only', () => {
    expect(writableWhileRunning('common/name')).toBe(true)
    expect(writableWhileRunning('disk.EnableUUID')).toBe(true)
    expect(writableWhileRunning('guestinfo.vice./execs|1/cmd/Path@non-persistent')).toBe(true)
    expect(writableWhileRunning('guestinfo.vice./common/name')).toBe(false)
    expect(writableWhileRunning('guestinfo.vice..createtime')).toBe(false)
  })
})

describe('key construction', () => {
  it('prefixes guest-visible keys with a signifier that is also the separator', () => {
    expect(childKey(Scope.ReadOnly, '', 'a')).toBe('guestinfo.vice./a')
    expect(childKey(Scope.ReadWrite, '', 'a')).toBe('guestinfo.vice..a')
    expect(childKey(Scope.ReadOnly, 'guestinfo.vice./a', 'b')).toBe('guestinfo.vice./a/b')
    expect(childKey(Scope.ReadWrite, 'guestinfo.vice..a', 'b')).toBe('guestinfo.vice..a.b')
  })

  it('treats volatile and secret like read-only for separators', () => {
    expect(childKey(Scope.Volatile, 'guestinfo.vice..a', 'b')).toBe('guestinfo.vice./a/b')
    expect(childKey(scopeFromTag('secret'), 'guestinfo.vice./a', 'b')).toBe('guestinfo.vice./a/b@secret')
  })

  it('rewrites every separator when a child switches between read-only and read-write', () => {
    expect(childKey(Scope.ReadWrite, 'guestinfo.vice./a/b', 'c')).toBe('guestinfo.vice..a.b.c')
    expect(childKey(Scope.ReadOnly, 'guestinfo.vice..a.b', 'c')).toBe('guestinfo.vice./a/b/c')
    expect(childKey(Scope.ReadWrite, 'guestinfo.vice..a', 'b/c')).toBe('guestinfo.vice..a.b.c')
  })

  it('drops prefix and signifier for hidden keys and joins them with / without rewriting', () => {
    expect(childKey(Scope.Hidden, '', 'annotations')).toBe('annotations')
    expect(childKey(Scope.Hidden, 'guestinfo.vice./a/b', 'c')).toBe('a/b/c')
    expect(childKey(Scope.Hidden, 'guestinfo.vice..a.b', 'c')).toBe('a.b/c')
    expect(childKey(Scope.Hidden, 'a.b', 'c')).toBe('a.b/c')
    expect(childKey(Scope.ReadOnly, 'a/b', 'c')).toBe('guestinfo.vice./a/b/c')
    expect(hiddenKey('portlayer', 'rename')).toBe('portlayer/rename')
  })

  it('keeps suffixes at the very end and refuses hidden + non-persistent', () => {
    const np = Scope.ReadWrite | Scope.NonPersistent
    expect(childKey(np, 'guestinfo.vice./a@non-persistent', 'b')).toBe('guestinfo.vice..a.b@non-persistent')
    expect(childKey(np | Scope.Secret, 'guestinfo.vice..a', 'b')).toBe('guestinfo.vice..a.b@secret@non-persistent')
    expect(childKey(Scope.Hidden | Scope.NonPersistent, '', 'x')).toBeUndefined()
    expect(childKey(Scope.Invalid, '', 'x')).toBeUndefined()
    expect(appendToKey('guestinfo.vice./np@non-persistent', '|', 'e1')).toBe('guestinfo.vice./np|e1@non-persistent')
    expect(sliceValuesKey('guestinfo.vice./l@non-persistent')).toBe('guestinfo.vice./l~@non-persistent')
  })
})

describe('keys of schema fields', () => {
  it('gives untagged fields their Go name and the scope inferred from the parent key', () => {
    const schema = struct({
      j: untagged('J', string()),
      ro: tagged('ro', 'read-only', struct({ inner: untagged('Inner', string()) })),
      rw: tagged('rw', 'read-write', struct({ inner: untagged('Inner', string()) })),
    })
    expect(keysOf(schema, { j: 'x', ro: { inner: 'y' }, rw: { inner: 'z' } })).toEqual({
      J: 'x',
      'guestinfo.vice./ro/Inner': 'y',
      'guestinfo.vice..rw.Inner': 'z',
    })
  })

  it('does not inherit hidden when a child declares its own scope', () => {
    const schema = struct({
      hnested: tagged(
        'hnested',
        'hidden',
        struct({ x: tagged('x', 'read-write', string()), h: tagged('h', '', int()) }),
      ),
    })
    expect(keysOf(schema, { hnested: { x: 'v', h: 1 } })).toEqual({
      'guestinfo.vice..hnested.x': 'v',
      'hnested/h': '1',
    })
  })

  it('inherits non-persistent and leaves out hidden fields below it', () => {
    const entry = struct({
      ro: tagged('ro', 'read-only', string()),
      rw: tagged('rw', 'read-write', string()),
      h: tagged('h', 'hidden', string()),
    })
    const schema = struct({ np: tagged('np', 'read-only,non-persistent', map(entry)) })
    expect(keysOf(schema, { np: { e1: { ro: 'a', rw: 'b', h: 'c' } } })).toEqual({
      'guestinfo.vice./np@non-persistent': 'e1',
      'guestinfo.vice./np|e1/ro@non-persistent': 'a',
      'guestinfo.vice..np|e1.rw@non-persistent': 'b',
    })
  })

  it('mangles dots in map keys under read-only children and keeps the key list as given', () => {
    const entry = struct({ ro: tagged('ro', 'read-only', string()), rw: tagged('rw', 'read-write', string()) })
    const schema = struct({ m: tagged('m', 'read-only', map(entry)) })
    expect(keysOf(schema, { m: { 'my.net': { ro: 'a', rw: 'b' } } })).toEqual({
      'guestinfo.vice./m': 'my.net',
      'guestinfo.vice./m|my/net/ro': 'a',
      'guestinfo.vice..m|my.net.rw': 'b',
    })
  })

  it('leaves out fields whose scope tag has an unknown word', () => {
    const schema = struct({
      bad: tagged('bad', 'nonsense' as never, string()),
      good: tagged('good', 'read-only', string()),
    })
    expect(keysOf(schema, { bad: 'x', good: 'y' })).toEqual({ 'guestinfo.vice./good': 'y' })
  })

  it('refuses a schema where an embedded struct would hide a field of its parent', () => {
    const common = struct({ id: tagged('id', 'read-only', string()) })
    expect(() => struct({ common: embedded(tagged('common', 'read-only', common)), id: untagged('ID', string()) })).toThrow(
      /property id is defined twice/,
    )
  })

  it('finds keys by property path, through maps, pointers, struct slices and embedded structs', () => {
    const schema = struct({
      p: tagged(
        'p',
        'read-only',
        pointer(struct({ list: tagged('list', 'read-only', slice(struct({ n: untagged('N', int()) }))) })),
      ),
    })
    expect(keyOf(schema, ['p', 'list', 2, 'n'])).toBe('guestinfo.vice./p/list|2/N')
    expect(() => keyOf(schema, ['p', 'nope'])).toThrow(/no property nope/)
  })
})

describe('container keys', () => {
  it('are the keys VIC and portlayer rely on', () => {
    expect(containerKeys).toEqual({
      id: 'guestinfo.vice./common/id',
      name: 'common/name',
      legacyName: 'guestinfo.vice./common/name',
      dataVersion: 'guestinfo.vice./version/PluginVersion',
      createTime: 'guestinfo.vice..createtime',
      networks: 'guestinfo.vice./networks',
      annotations: 'annotations',
      links: 'hostconfig/links',
      linksValues: 'hostconfig/links~',
    })
  })

  it('mangle network names with dots the way VIC does', () => {
    expect(networkAliasesKey('bridge')).toBe('networks|bridge/network/aliases')
    expect(networkAliasesKey('front.net')).toBe('networks|front/net/network/aliases')
    expect(networkAliasesValuesKey('front.net')).toBe('networks|front/net/network/aliases~')
    expect(containerKey(['networks', 'front.net', 'network', 'type'])).toBe(
      'guestinfo.vice..networks|front.net.network.type',
    )
    expect(containerKey(['networks', 'front.net', 'ports'])).toBe('guestinfo.vice./networks|front/net/ports')
    expect(containerKey(['networks', 'front.net', 'notes'])).toBe('networks|front/net/Common/notes')
  })

  it('keep annotation names verbatim under the hidden map', () => {
    expect(annotationKey('com.example.owner')).toBe('annotations|com.example.owner')
  })

  it('put the session fields where VIC puts them', () => {
    expect(containerKey(['sessions', 'abc', 'createTime'])).toBe('guestinfo.vice..sessions|abc.detail.createtime')
    expect(containerKey(['sessions', 'abc', 'notes'])).toBe('sessions|abc/common/notes')
    expect(containerKey(['execs', 'abc', 'cmd', 'path'])).toBe('guestinfo.vice./execs|abc/cmd/Path@non-persistent')
  })
})
