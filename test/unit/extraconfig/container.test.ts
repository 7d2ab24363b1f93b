import { describe, expect, it } from 'vitest'

import {
  containerKeys,
  containerVmExtraConfig,
  dataVersion,
  decodeContainer,
  encodeContainer,
  newContainerConfig,
  withNetworkAliases,
} from '../../../src/extraconfig/index.js'
import { fixture } from './fixtures.js'

const web = fixture('current-web-bridge')

function newWeb() {
  return newContainerConfig({
    id: web.expect.id,
    name: 'web',
    createTime: web.expect.createTime,
    dataVersion: 10,
    build: { version: 'v1.5.0', buildNumber: '19000' },
    repo: 'busybox',
    networks: { bridge: { aliases: ['db:database', ':webalias'], ports: ['8080:80/tcp'], type: 'bridge' } },
    annotations: { 'docker.stdinOnce': 'false' },
    cmd: { path: '/bin/top', args: ['/bin/top', '-b'], env: ['PATH=/usr/bin:/bin', 'TERM=xterm'], dir: '/' },
  })
}

describe('a new container', () => {
  it('is laid out like the one VIC created: the same keys, less what VIC assigns on the network', () => {
    const keys = Object.keys(encodeContainer(newWeb()))
    const vic = Object.keys(web.extraConfig)
    expect(keys.filter((key) => !vic.includes(key))).toEqual([])
    expect(vic.filter((key) => !keys.includes(key)).sort()).toEqual([
      'guestinfo.vice./networks|bridge/network/dns',
      'guestinfo.vice./networks|bridge/network/dns|0',
      'guestinfo.vice./networks|bridge/network/gateway/IP',
      'guestinfo.vice./networks|bridge/network/gateway/Mask',
    ])
  })

  it('agrees with VIC on the values of the keys both have', () => {
    const ours = encodeContainer(newWeb())
    const differing = Object.keys(ours).filter((key) => web.extraConfig[key] !== ours[key])
    // VIC's session also starts attached with a tty and SIGTERM; portlayer leaves those to the caller
    expect(differing.map((key) => key.replace(web.expect.id, '<id>')).sort()).toEqual([
      'guestinfo.vice./networks|bridge/Common/id',
      'guestinfo.vice./networks|bridge/network/Common/id',
      'guestinfo.vice./sessions|<id>/attach',
      'guestinfo.vice./sessions|<id>/stopSignal',
      'guestinfo.vice./sessions|<id>/tty',
    ])
  })

  it('is stamped with the given data version, keeps its name hidden and its links in hostconfig', () => {
    const wire = encodeContainer({ ...newWeb(), links: ['db:database'] })
    expect(wire[containerKeys.dataVersion]).toBe('10')
    expect(wire[containerKeys.name]).toBe('web')
    expect(wire[containerKeys.legacyName]).toBeUndefined()
    expect(wire[containerKeys.links]).toBe('0')
    expect(wire[containerKeys.linksValues]).toBe('db:database')
    expect(wire['guestinfo.vice./hostname']).toBe(web.expect.id.slice(0, 12))
  })

  it('leaves the fixed VM settings to the create spec, which adds them beside the container', () => {
    const wire = { ...containerVmExtraConfig, ...encodeContainer(newWeb()) }
    const config = decodeContainer(wire)
    expect(config.unmodeled).toEqual(containerVmExtraConfig)
    expect(encodeContainer(config)).toEqual(wire)
  })
})

describe('decoding', () => {
  it('keeps keys it does not model and writes them back unchanged', () => {
    const wire = {
      ...web.extraConfig,
      'guestinfo.vice./mounts': 'data',
      'guestinfo.vice./mounts|data/dest': '/data',
      'portlayer/journal': 'abc',
    }
    const config = decodeContainer(wire)
    expect(config.unmodeled).toEqual({
      'guestinfo.vice./mounts': 'data',
      'guestinfo.vice./mounts|data/dest': '/data',
      'portlayer/journal': 'abc',
    })
    expect(encodeContainer(config)).toEqual(wire)
  })

  it('reads data version 0 and an empty name from a VM that has neither', () => {
    const config = decodeContainer({})
    expect(dataVersion(config)).toBe(0)
    expect(config.name).toBe('')
    expect(config.nameKey).toBe(containerKeys.name)
  })

  it('prefers the hidden name when a container has both keys', () => {
    const config = decodeContainer({ ...web.extraConfig, [containerKeys.legacyName]: 'old' })
    expect(config.name).toBe('web')
    expect(config.unmodeled).toEqual({ [containerKeys.legacyName]: 'old' })
  })

  it('refuses to set aliases on a network the container is not on', () => {
    expect(() => withNetworkAliases(decodeContainer(web.extraConfig), 'nowhere', [])).toThrow(/not on network nowhere/)
  })
})
