/**
 * fast-check generators of ExtraConfig maps that stress the plugins: the keys they read and write, with values
 * that are present or not, empty in either form, numbers of every size, or noise; mixed into real fixtures.
 */
import fc from 'fast-check'
import { vicFixtures } from './fixtures.js'

const keysPluginsTouch = [
  'guestinfo.vice./common/name',
  'common/name',
  'guestinfo.vice./common/id',
  'guestinfo.vice./common/ExecutionEnvironment',
  'common/notes',
  'guestinfo.vice./init/common/name',
  'init/common/name',
  'guestinfo.vice./init/common/id',
  'guestinfo.vice./init/common/ExecutionEnvironment',
  'init/common/notes',
  'guestinfo.vice..createtime',
]

const value = fc.oneof(
  fc.constantFrom('<nil>', '', '0', '9', '10', '1510950922', '9223372036', '9223372037', '1510950922000000000'),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.bigInt({ min: 0n, max: 20_000_000_000n }).map(String),
  fc.string({ maxLength: 12 }),
)

/** A map over the plugins' keys (each present or not) plus a few unrelated ones, sometimes on top of a fixture. */
export const extraConfigMap: fc.Arbitrary<Map<string, string>> = fc
  .tuple(
    fc.option(fc.constantFrom(...vicFixtures.map((f) => f.config)), { nil: undefined }),
    fc.dictionary(fc.constantFrom(...keysPluginsTouch), value),
    fc.dictionary(fc.string({ maxLength: 20 }), value, { maxKeys: 4 }),
  )
  .map(([base, touched, other]) => new Map([...(base ?? []), ...Object.entries(other), ...Object.entries(touched)]))
