import { describe, expect, it } from 'vitest'
import { MigrationError } from '../../../src/migration/errors.js'
import { PluginRegistry } from '../../../src/migration/registry.js'
import { stubPlugin } from './plugin-stub.js'

/** Registers the plugins as if each came from its own file, and returns the refusal. */
function refusal(...plugins: unknown[]): MigrationError {
  try {
    PluginRegistry.of(plugins.map((plugin, i) => ({ source: `file-${i}.ts`, plugin })))
  } catch (err) {
    if (MigrationError.is(err, 'invalid_plugin')) return err
    throw err
  }
  throw new Error('the registry accepted the plugins')
}

describe('plugin registry', () => {
  it('gathers the keys a target’s plugins read, or none when one of them reads the whole map', () => {
    const reads = (keys: readonly string[] | 'all', v: number) => ({ ...stubPlugin(v), reads: keys })
    const registry = PluginRegistry.of([
      { source: 'a', plugin: reads(['b/key', 'a/key'], 2) },
      { source: 'b', plugin: reads(['a/key', 'c/key'], 3) },
      { source: 'c', plugin: { ...stubPlugin(4, 'appliance'), reads: 'all' } },
    ])
    expect(registry.readsOf('container')).toEqual(['a/key', 'b/key', 'c/key'])
    expect(registry.readsOf('appliance')).toBeUndefined()
  })

  it('sorts each target by version once, whatever the registration order (VIC TestInsertID)', () => {
    const target = (v: number) => (v % 2 ? 'appliance' : 'container')
    const sources = [1, 10, 9, 5, 8, 2, 4].map((v) => ({ source: `f${v}`, plugin: stubPlugin(v, target(v)) }))
    const registry = PluginRegistry.of(sources)
    expect(registry.plugins.map((p) => p.version)).toEqual([1, 2, 4, 5, 8, 9, 10])
    expect(registry.forTarget('container').map((p) => p.version)).toEqual([2, 4, 8, 10])
    expect(registry.forTarget('appliance').map((p) => p.version)).toEqual([1, 5, 9])
    expect(registry.latestVersion('container')).toBe(10)
    expect(PluginRegistry.of([]).latestVersion('appliance')).toBe(0)
  })

  it('refuses a version already taken by the other target, naming both files', () => {
    const err = refusal(stubPlugin(2, 'container'), stubPlugin(2, 'appliance', { name: 'other' }))
    expect(err.message).toContain('file-1.ts')
    expect(err.message).toContain('file-0.ts')
    expect(err.message).toMatch(/version 2 is already taken .*unique across targets/)
  })

  it.each([0, -3])('refuses version %d', (version) => {
    expect(refusal(stubPlugin(version)).message).toMatch(/file-0\.ts: version must be greater than 0/)
  })

  it.each([1.5, Number.NaN, '2', undefined])('refuses the non-integer version %s', (version) => {
    expect(refusal({ ...stubPlugin(2), version }).message).toMatch(/file-0\.ts: version must be a whole number/)
  })

  it('refuses a version above the one new VMs are stamped with', () => {
    expect(refusal(stubPlugin(11)).message).toMatch(/version 11 is above latestDataVersion \(10\)/)
  })

  it('refuses a name already taken', () => {
    const err = refusal(stubPlugin(2, 'container', { name: 'same' }), stubPlugin(9, 'container', { name: 'same' }))
    expect(err.message).toBe('migration plugin file-1.ts: name "same" is already taken by file-0.ts')
  })

  it.each([
    ['nothing', undefined, /default export must be a plugin object, found undefined/],
    ['a function', () => new Map(), /default export must be a plugin object, found a function/],
    ['an unknown target', { ...stubPlugin(2), target: 'vch' }, /target must be one of container, appliance/],
    ['a name that is not kebab-case', { ...stubPlugin(2), name: 'Add_Name' }, /name must be kebab-case/],
    ['no description', { ...stubPlugin(2), description: ' ' }, /description must be a non-empty string/],
    ['no migrate function', { ...stubPlugin(2), migrate: 'yes' }, /migrate must be a function/],
    ['no keys it reads', { ...stubPlugin(2), reads: undefined }, /reads must list the ExtraConfig keys/],
    ['an empty list of keys', { ...stubPlugin(2), reads: [] }, /reads must list the ExtraConfig keys/],
    ['a key no property path can name', { ...stubPlugin(2), reads: ['a"b'] }, /without " \[ \]/],
    ['a conflict that is no function', { ...stubPlugin(2), conflict: 'two names' }, /conflict, when given, must be a function/],
  ])('refuses an export with %s', (_what, plugin, rule) => {
    const err = refusal(plugin)
    expect(err.message).toMatch(/^migration plugin file-0\.ts: /)
    expect(err.message).toMatch(rule)
  })
})
