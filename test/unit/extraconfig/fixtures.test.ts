import { describe, expect, it } from 'vitest'

import {
  changeSet,
  containerKeys,
  dataVersion,
  decodeContainer,
  encodeContainer,
  networkAliases,
  runningSubset,
  withNetworkAliases,
} from '../../../src/extraconfig/index.js'
import { fixture, vicFixtures } from './fixtures.js'

const sorted = (map: Record<string, string>): Array<[string, string]> =>
  Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

describe.each(vicFixtures.map((f) => [f.file, f] as const))('VIC vector %s', (_file, vector) => {
  const config = decodeContainer(vector.extraConfig)

  it('decodes to the facts VIC encoded', () => {
    expect(config.id).toBe(vector.expect.id)
    expect(config.name).toBe(vector.expect.name)
    expect(config.nameKey).toBe(vector.expect.nameKey)
    expect(dataVersion(config)).toBe(vector.expect.pluginVersion)
    expect(config.createTime).toBe(vector.expect.createTime)
    expect(config.annotations).toEqual(vector.expect.annotations)
    expect(config.repo).toBe(vector.expect.repo)
    expect(config.hostname).toBe(vector.expect.hostname)
    const networks = Object.fromEntries(
      Object.entries(config.networks).map(([name, endpoint]) => [
        name,
        { aliases: endpoint.network.aliases, ports: endpoint.ports },
      ]),
    )
    const expected = Object.fromEntries(
      Object.entries(vector.expect.networks).map(([name, n]) => [name, { aliases: n.aliases, ports: n.ports ?? [] }]),
    )
    expect(networks).toEqual(expected)
  })

  it('models every key of the VM', () => {
    expect(config.unmodeled).toEqual({})
  })

  it('re-encodes to the identical ExtraConfig, key for key and byte for byte', () => {
    expect(sorted(encodeContainer(config))).toEqual(sorted(vector.extraConfig))
  })

  it('has nothing to send when nothing changed', () => {
    expect(changeSet(vector.extraConfig, encodeContainer(config), { running: false })).toEqual([])
    expect(changeSet(vector.extraConfig, encodeContainer(config), { running: true })).toEqual([])
  })

  it('would send a running VM exactly the hidden and non-persistent keys VIC would', () => {
    expect(runningSubset(vector.extraConfig)).toEqual(vector.runningSubset)
    const everything = changeSet({}, vector.extraConfig, { running: true })
    expect(Object.fromEntries(everything.map((c) => [c.key, c.value]))).toEqual(vector.runningSubset)
  })
})

describe('renaming on the vectors', () => {
  it('writes only common/name to a running current container', () => {
    const vector = fixture('current-web-bridge')
    const renamed = { ...decodeContainer(vector.extraConfig), name: 'web2' }
    expect(changeSet(vector.extraConfig, encodeContainer(renamed), { running: true })).toEqual([
      { key: 'common/name', value: 'web2' },
    ])
  })

  it('cannot change the guest-visible name of a running legacy container, only of a stopped one', () => {
    const vector = fixture('legacy-v1-bridge')
    const renamed = { ...decodeContainer(vector.extraConfig), name: 'renamed' }
    const wanted = encodeContainer(renamed)
    expect(changeSet(vector.extraConfig, wanted, { running: true })).toEqual([])
    expect(changeSet(vector.extraConfig, wanted, { running: false })).toEqual([
      { key: containerKeys.legacyName, value: 'renamed' },
    ])
    expect(wanted[containerKeys.name]).toBeUndefined()
  })

  it('re-points a link on a running legacy container through the hidden alias list', () => {
    const vector = fixture('legacy-v1-bridge')
    const config = decodeContainer(vector.extraConfig)
    expect(networkAliases(config)).toEqual({ bridge: ['web:webapp'] })
    const repointed = withNetworkAliases(config, 'bridge', ['web2:webapp'])
    expect(changeSet(vector.extraConfig, encodeContainer(repointed), { running: true })).toEqual([
      { key: 'networks|bridge/network/aliases~', value: 'web2:webapp' },
    ])
  })

  it('writes the aliases of a dotted network under its mangled hidden key', () => {
    const vector = fixture('current-two-networks-dotted')
    const config = withNetworkAliases(decodeContainer(vector.extraConfig), 'front.net', [':front'])
    expect(changeSet(vector.extraConfig, encodeContainer(config), { running: true })).toEqual([
      { key: 'networks|front/net/network/aliases', value: '0' },
      { key: 'networks|front/net/network/aliases~', value: ':front' },
    ])
  })

  it('deletes the alias keys when a network loses its last alias', () => {
    const vector = fixture('current-web-bridge')
    const config = withNetworkAliases(decodeContainer(vector.extraConfig), 'bridge', [])
    expect(changeSet(vector.extraConfig, encodeContainer(config), { running: true })).toEqual([
      { key: 'networks|bridge/network/aliases', value: '' },
      { key: 'networks|bridge/network/aliases~', value: '' },
    ])
  })
})
