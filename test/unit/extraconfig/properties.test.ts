import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  changeSet,
  decodeContainer,
  encodeContainer,
  networkAliasesKey,
  newNetworkEndpoint,
  type WireMap,
} from '../../../src/extraconfig/index.js'
import { aliasEntry, containerConfig, dottedName, unmodeled } from './arbitraries.js'
import { vicFixtures } from './fixtures.js'

const aliasList = fc.array(aliasEntry, { minLength: 1, maxLength: 3 })

/** The map vSphere would hold after applying `changes` to `current`. */
function apply(current: WireMap, changes: ReturnType<typeof changeSet>): WireMap {
  const out = { ...current }
  for (const { key, value } of changes) {
    if (value === '') delete out[key]
    else out[key] = value
  }
  return out
}

/** A fixture whose values were replaced by noise: numbers, lists, base64, `<nil>`, garbage. */
const noisyFixture = fc.constantFrom(...vicFixtures).chain((vector) =>
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...Object.keys(vector.extraConfig)),
        fc.oneof(
          fc.constantFrom('0', '1', '-1', 'True', 'x', '<nil>', 'rBAAAQ==', 'a|b', 'a.b', 'a@b'),
          fc.string({ maxLength: 5 }),
        ),
      ),
      { maxLength: 8 },
    )
    .map((edits) => ({ ...vector.extraConfig, ...Object.fromEntries(edits) })),
)

describe('container codec properties', () => {
  it('decodes what it encodes: decode(encode(x)) equals x', () => {
    fc.assert(
      fc.property(containerConfig, (config) => {
        expect(decodeContainer(encodeContainer(config))).toEqual(config)
      }),
    )
  })

  it('keeps map keys that name an object property, such as an annotation called __proto__', () => {
    fc.assert(
      fc.property(containerConfig, (config) => {
        const annotations = JSON.parse('{"__proto__":"kept","constructor":"too"}') as Record<string, string>
        const withOdd = { ...config, annotations }
        const back = decodeContainer(encodeContainer(withOdd))
        expect(Object.entries(back.annotations)).toEqual([
          ['__proto__', 'kept'],
          ['constructor', 'too'],
        ])
      }),
      { numRuns: 20 },
    )
  })

  it('encodes what it decodes: a VIC vector with unknown keys comes back key for key', () => {
    fc.assert(
      fc.property(fc.constantFrom(...vicFixtures), unmodeled, (vector, extra) => {
        const wire = { ...vector.extraConfig, ...extra }
        expect(encodeContainer(decodeContainer(wire))).toEqual(wire)
      }),
    )
  })

  it('settles any map, however damaged, in one decode/encode round', () => {
    fc.assert(
      fc.property(noisyFixture, (wire) => {
        const once = encodeContainer(decodeContainer(wire))
        expect(encodeContainer(decodeContainer(once))).toEqual(once)
      }),
    )
  })

  it('writes the aliases of any network under its name with dots turned into slashes', () => {
    fc.assert(
      fc.property(containerConfig, dottedName, aliasList, (config, net, aliases) => {
        const wanted = { ...config, networks: { [net]: newNetworkEndpoint(net, { aliases }) } }
        const wire = encodeContainer(wanted)
        const key = `networks|${net.replaceAll('.', '/')}/network/aliases`
        expect(networkAliasesKey(net)).toBe(key)
        expect(wire[key]).toBe(String(aliases.length - 1))
        expect(wire[`${key}~`]).toBe(aliases.join('|'))
        expect(decodeContainer(wire).networks[net]?.network.aliases).toEqual(aliases)
      }),
    )
  })
})

describe('changeSet properties', () => {
  it('has nothing to send between a map and itself', () => {
    fc.assert(
      fc.property(containerConfig, (config) => {
        const wire = encodeContainer(config)
        expect(changeSet(wire, wire, { running: false })).toEqual([])
        expect(changeSet(wire, wire, { running: true })).toEqual([])
      }),
    )
  })

  it('turns the current map into the wanted one on a stopped VM', () => {
    fc.assert(
      fc.property(containerConfig, containerConfig, (a, b) => {
        const current = encodeContainer(a)
        const wanted = encodeContainer(b)
        expect(apply(current, changeSet(current, wanted, { running: false }))).toEqual(wanted)
      }),
    )
  })

  it('never sends a running VM a persistent guest-visible key', () => {
    fc.assert(
      fc.property(containerConfig, containerConfig, (a, b) => {
        const changes = changeSet(encodeContainer(a), encodeContainer(b), { running: true })
        for (const { key } of changes) {
          if (key.startsWith('guestinfo.')) expect(key).toMatch(/@non-persistent$/)
        }
      }),
    )
  })
})
