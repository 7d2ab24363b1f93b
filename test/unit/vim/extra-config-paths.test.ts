import { describe, expect, it } from 'vitest'
import { extraConfigFrom, extraConfigKeyPath, extraConfigPaths } from '../../../src/vim/extra-config-paths.js'

describe('ExtraConfig keys as property paths', () => {
  it('names one key the way vCenter selects it, and the whole array when no keys are given', () => {
    expect(extraConfigKeyPath('guestinfo.vice./common/name')).toBe('config.extraConfig["guestinfo.vice./common/name"]')
    expect(extraConfigPaths(['a', 'b|c'])).toEqual(['config.extraConfig["a"]', 'config.extraConfig["b|c"]'])
    expect(extraConfigPaths(undefined)).toEqual(['config.extraConfig'])
  })

  it.each(['', 'a"b', 'a]b', 'a[0'])('refuses the key %j, which the path syntax cannot carry', (key) => {
    expect(() => extraConfigKeyPath(key)).toThrow(TypeError)
  })

  it('reads back the keys the answer has, leaving out those the VM lacks, a value without text as ""', () => {
    const props = {
      'config.extraConfig["common/name"]': { key: 'common/name', value: 'web' },
      'config.extraConfig["common/notes"]': { key: 'common/notes' },
    }
    expect(extraConfigFrom(props, ['common/name', 'common/notes', 'absent/key'])).toEqual(
      new Map([
        ['common/name', 'web'],
        ['common/notes', ''],
      ]),
    )
  })

  it('reads the whole array when it was asked for', () => {
    const props = { 'config.extraConfig': [{ key: 'a', value: '1' }, { key: 'b', value: 2 }] }
    expect(extraConfigFrom(props, undefined)).toEqual(new Map([['a', '1'], ['b', '2']]))
  })
})
