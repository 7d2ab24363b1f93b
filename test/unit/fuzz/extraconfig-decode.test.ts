// Fuzzing the ExtraConfig decoder with what a VM may hold after other tools, older VIC versions or a person with
// the vSphere client have been at it: the keys VIC writes with arbitrary values (unparsable numbers, bad base64,
// huge slice indexes, map name lists naming `__proto__`), keys dropped at random, and keys nobody models. Decoding
// is how every listing and inspect starts, so it must never throw, never pollute shared prototypes, and reading
// back what it would write must mean the same thing.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeContainer, encodeContainer } from '../../../src/extraconfig/index.js'
import { vicFixtures } from '../../helpers/vic-fixtures.js'

const knownKeys = [...new Set(vicFixtures.flatMap((f) => Object.keys(f.extraConfig)))]

const hostileValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(
    '<nil>',
    '',
    '__proto__',
    'constructor|__proto__|prototype',
    'a|b||c|',
    '99999999999999999999999',
    '-1',
    '2147483648',
    '9223372036854775807',
    '0x10',
    '1e9',
    'NaN',
    '====',
    'AAAA=',
    'true',
    'T',
  ),
)

/** a VIC-shaped map: a random subset of the known keys with random values, plus random keys */
const extraConfig = fc
  .tuple(
    fc.subarray(knownKeys),
    fc.array(hostileValue, { minLength: knownKeys.length, maxLength: knownKeys.length }),
    fc.dictionary(
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom(...knownKeys).chain((k) => fc.constantFrom(`${k}|__proto__`, `${k}~`, `${k}|0`, `${k}|65535`)),
      ),
      hostileValue,
      { maxKeys: 6 },
    ),
  )
  .map(([keys, values, extra]) => {
    const map = new Map<string, string>()
    keys.forEach((k, i) => map.set(k, values[i] ?? ''))
    for (const [k, v] of Object.entries(extra)) map.set(k, v)
    return map
  })

describe('decoding an arbitrary ExtraConfig', () => {
  it('never throws, and decoding what it would write back reads the same', () => {
    fc.assert(
      fc.property(extraConfig, (map) => {
        const config = decodeContainer(map)
        expect(typeof config.id).toBe('string')
        expect(typeof config.name).toBe('string')
        const again = decodeContainer(encodeContainer(config))
        expect(again).toEqual(config)
      }),
      { numRuns: 300 },
    )
  })

  it('leaves out a map entry with an empty name, which has no key of its own (found by the property above)', () => {
    const config = decodeContainer(new Map([['guestinfo.vice./networks', '|']]))
    expect(config.networks).toEqual({})
    expect(decodeContainer(encodeContainer(config))).toEqual(config)
  })

  it('reads map entries named like prototype keys as data and touches no shared prototype', () => {
    fc.assert(
      fc.property(extraConfig, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'), (map, name) => {
        map.set('annotations', `x|${name}`)
        map.set(`annotations|${name}`, 'polluted')
        const config = decodeContainer(map)
        expect(Object.getPrototypeOf(config.annotations)).toBe(Object.prototype)
        if (name !== '__proto__') expect(Object.getOwnPropertyDescriptor(config.annotations, name)?.value).toBe('polluted')
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
        expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'x')).toBe(false)
      }),
      { numRuns: 50 },
    )
  })

  it('bounds a slice whose last index is absurd instead of allocating it', () => {
    const sessions = knownKeys.find((k) => /sessions\|[0-9a-f]+\.cmd\.Args~?$/.test(k)) ?? ''
    const map = new Map<string, string>([...(vicFixtures[0]?.config ?? new Map<string, string>())])
    map.set(sessions.replace(/~$/, ''), '9223372036854775806')
    expect(() => decodeContainer(map)).not.toThrow()
  })
})
