import { describe, expect, it } from 'vitest'

import { decode, decodeContainer, encode, encodeContainer, newContainerConfig } from '../../../src/extraconfig/index.js'
import {
  bool,
  bytes,
  int,
  int64,
  map,
  pointer,
  slice,
  string,
  struct,
  tagged,
  uint,
  untagged,
  type Node,
} from '../../../src/extraconfig/schema.js'

const keysOf = (node: Node, value: unknown): Record<string, string> => Object.fromEntries(encode(node, value))
const from = (node: Node, values: Record<string, string>): unknown =>
  decode(node, (key) => (Object.hasOwn(values, key) ? values[key] : undefined))

const ro = <N extends Node>(key: string, node: N) => tagged(key, 'read-only', node)

describe('primitive values', () => {
  const schema = struct({
    s: ro('s', string()),
    i: ro('i', int()),
    u: ro('u', uint()),
    big: ro('big', int64()),
    b: ro('b', bool()),
  })

  it('writes strings as is, numbers in decimal and bools as true/false', () => {
    expect(keysOf(schema, { s: 'x y', i: -3, u: 7, big: 1600000000123456789n, b: true })).toEqual({
      'guestinfo.vice./s': 'x y',
      'guestinfo.vice./i': '-3',
      'guestinfo.vice./u': '7',
      'guestinfo.vice./big': '1600000000123456789',
      'guestinfo.vice./b': 'true',
    })
  })

  it('writes zero values too, so an empty string is a key with an empty value', () => {
    expect(keysOf(schema, { s: '', i: 0, u: 0, big: 0n, b: false })).toEqual({
      'guestinfo.vice./s': '',
      'guestinfo.vice./i': '0',
      'guestinfo.vice./u': '0',
      'guestinfo.vice./big': '0',
      'guestinfo.vice./b': 'false',
    })
  })

  it('keeps nanosecond int64 values exact', () => {
    expect(from(schema, { 'guestinfo.vice./big': '9223372036854775807' })).toMatchObject({ big: 9223372036854775807n })
  })

  it('parses like Go: flexible bools, signed decimals, anything else the zero value', () => {
    expect(
      from(schema, {
        'guestinfo.vice./b': 'True',
        'guestinfo.vice./i': '+5',
        'guestinfo.vice./u': '-1',
        'guestinfo.vice./big': '9223372036854775808',
      }),
    ).toEqual({ s: '', i: 5, u: 0, big: 0n, b: true })
    expect(from(schema, { 'guestinfo.vice./b': 'yes', 'guestinfo.vice./i': '0x10' })).toMatchObject({ b: false, i: 0 })
  })

  it('refuses to write a number that is not whole', () => {
    expect(() => keysOf(schema, { s: '', i: 1.5, u: 0, big: 0n, b: false })).toThrow(/not a whole number/)
  })
})

describe('byte strings', () => {
  const schema = struct({
    gateway: ro('gateway', struct({ ip: untagged('IP', bytes()), mask: untagged('Mask', bytes()) })),
  })

  it('are standard base64, and not written when empty', () => {
    const value = { gateway: { ip: Uint8Array.of(172, 16, 0, 1), mask: new Uint8Array() } }
    expect(keysOf(schema, value)).toEqual({ 'guestinfo.vice./gateway/IP': 'rBAAAQ==' })
    const wire = { 'guestinfo.vice./gateway/IP': 'rBAAAQ==', 'guestinfo.vice./gateway/Mask': '//8AAA==' }
    expect(from(schema, wire)).toEqual({
      gateway: { ip: Uint8Array.of(172, 16, 0, 1), mask: Uint8Array.of(255, 255, 0, 0) },
    })
  })

  it('read as empty when the value is not valid base64', () => {
    expect(from(schema, { 'guestinfo.vice./gateway/IP': 'not base64!' })).toEqual({
      gateway: { ip: new Uint8Array(), mask: new Uint8Array() },
    })
  })
})

describe('slices', () => {
  const schema = struct({
    args: ro('Args', slice(string())),
    dns: ro('dns', slice(bytes())),
    pools: ro('pools', slice(struct({ first: ro('first', bytes()), n: tagged('n', 'read-write', int()) }))),
  })

  it('write primitives as the last index plus the |-joined values under key~', () => {
    expect(keysOf(schema, { args: ['/bin/top', '-b'], dns: [], pools: [] })).toEqual({
      'guestinfo.vice./Args': '1',
      'guestinfo.vice./Args~': '/bin/top|-b',
    })
  })

  it('write structs and byte strings under key|index', () => {
    const value = { args: [], dns: [Uint8Array.of(8, 8, 8, 8)], pools: [{ first: Uint8Array.of(10, 0, 0, 1), n: 2 }] }
    expect(keysOf(schema, value)).toEqual({
      'guestinfo.vice./dns': '0',
      'guestinfo.vice./dns|0': 'CAgICA==',
      'guestinfo.vice./pools': '0',
      'guestinfo.vice./pools|0/first': 'CgAAAQ==',
      'guestinfo.vice..pools|0.n': '2',
    })
  })

  it('are not written at all when empty', () => {
    expect(keysOf(schema, { args: [], dns: [], pools: [] })).toEqual({})
  })

  it('read back, including empty elements', () => {
    const value = { args: ['', 'a', ''], dns: [Uint8Array.of(1, 2, 3, 4)], pools: [{ first: new Uint8Array(), n: 0 }] }
    expect(from(schema, keysOf(schema, value))).toEqual(value)
  })

  it('read a short value list as far as it goes', () => {
    const wire = { 'guestinfo.vice./Args': '3', 'guestinfo.vice./Args~': 'a|b' }
    expect(from(schema, wire)).toMatchObject({ args: ['a', 'b'] })
  })
})

describe('maps', () => {
  const schema = struct({ annotations: tagged('annotations', 'hidden', map(string())) })

  it('write the sorted, |-joined names under the map key and each value under key|name', () => {
    expect(keysOf(schema, { annotations: { 'docker.stdinOnce': 'true', 'com.example.owner': 'team-a' } })).toEqual({
      annotations: 'com.example.owner|docker.stdinOnce',
      'annotations|com.example.owner': 'team-a',
      'annotations|docker.stdinOnce': 'true',
    })
  })

  it('sort names in Go byte order, not JavaScript UTF-16 order', () => {
    const names = keysOf(schema, { annotations: { '\u{1F600}': '1', '\uFF5E': '2', Z: '3', a: '4' } }).annotations
    expect(names).toBe('Z|a|\uFF5E|\u{1F600}')
  })

  it('are not written when empty', () => {
    expect(keysOf(schema, { annotations: {} })).toEqual({})
  })
})

describe('pointers', () => {
  const schema = struct({
    version: ro('version', pointer(struct({ pluginVersion: untagged('PluginVersion', int()) }))),
  })

  it('write nothing when absent and read as absent when none of their keys exist', () => {
    expect(keysOf(schema, {})).toEqual({})
    expect(from(schema, {})).toEqual({})
    expect(from(schema, { 'guestinfo.vice./version/PluginVersion': '4' })).toEqual({ version: { pluginVersion: 4 } })
  })
})

describe('the wire form', () => {
  const config = newContainerConfig({ id: 'ab'.repeat(32), name: 'c1', createTime: 5n, dataVersion: 10 })

  it('writes empty strings as <nil>, since an empty value would delete the key', () => {
    const wire = encodeContainer(config)
    expect(wire['common/notes']).toBe('<nil>')
    expect(Object.values(wire)).not.toContain('')
  })

  it('reads <nil> back as an empty string', () => {
    expect(decodeContainer({ ...encodeContainer(config), 'guestinfo.vice./repo': '<nil>' }).repo).toBe('')
    expect(decodeContainer(new Map(Object.entries(encodeContainer(config)))).notes).toBe('')
  })
})
