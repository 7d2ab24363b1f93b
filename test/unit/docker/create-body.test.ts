// The docker create body, pure: what portlayer keeps, and every field it cannot honour refused by name, while the
// zero values clients send for everything else pass.
import { describe, expect, it } from 'vitest'
import { normalizeLink, parseCreateBody } from '../../../src/docker/create-body.js'

/** What docker 20.10's CLI sends for `docker create busybox` (fields at their zero values). */
const cliDefaults = {
  Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false,
  OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: 'busybox', Volumes: {}, WorkingDir: '',
  Entrypoint: null, OnBuild: null, Labels: {},
  HostConfig: {
    Binds: null, ContainerIDFile: '', LogConfig: { Type: '', Config: {} }, NetworkMode: 'default', PortBindings: {},
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, VolumesFrom: null, CapAdd: null,
    CgroupnsMode: '', Dns: [], Links: null, OomScoreAdj: 0, Privileged: false, ConsoleSize: [0, 0], Memory: 0,
    NanoCpus: 0, MemorySwappiness: -1, PidsLimit: 0, Devices: [], Ulimits: null,
  },
  NetworkingConfig: { EndpointsConfig: {} },
}

describe('parseCreateBody', () => {
  it("accepts the CLI's defaults and keeps what portlayer honours", () => {
    const parsed = parseCreateBody({
      ...cliDefaults,
      Env: ['A=1'],
      Cmd: 'sh',
      Labels: { tier: 'web' },
      StopTimeout: 3,
      HostConfig: { ...cliDefaults.HostConfig, Links: ['/db:/app/store', 'cache'], Memory: 512 * 1024 * 1024, NanoCpus: 2e9 },
      NetworkingConfig: { EndpointsConfig: { front: { Aliases: ['www'], Links: ['db:x'], IPAMConfig: null } } },
    })
    expect(parsed).toMatchObject({
      image: 'busybox',
      links: ['db:store', 'cache:cache'],
      networkMode: 'default',
      endpoint: { network: 'front', aliases: ['www'], links: ['db:x'] },
      config: { Env: ['A=1'], Cmd: ['sh'], Labels: { tier: 'web' }, StopTimeout: 3, Memory: 536870912, NanoCpus: 2e9 },
    })
  })

  it.each([
    [{ HostConfig: { Privileged: true } }, 'HostConfig.Privileged'],
    [{ HostConfig: { CapAdd: ['NET_ADMIN'] } }, 'HostConfig.CapAdd'],
    [{ HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } } }, 'HostConfig.PortBindings'],
    [{ ExposedPorts: { '80/tcp': {} } }, 'ExposedPorts'],
    [{ Volumes: { '/data': {} } }, 'Volumes'],
    [{ Healthcheck: { Test: ['CMD', 'true'] } }, 'Healthcheck.Test'],
    [{ HostConfig: { LogConfig: { Type: 'syslog' } } }, 'HostConfig.LogConfig.Type'],
    [{ HostConfig: { NanoCpus: 1.5e9 } }, 'HostConfig.NanoCpus'],
    [{ NetworkingConfig: { EndpointsConfig: { n: { IPAMConfig: { IPv4Address: '10.0.0.2' } } } } }, 'NetworkingConfig.EndpointsConfig.n.IPAMConfig'],
  ])('refuses %j naming %s', (extra, field) => {
    expect(() => parseCreateBody({ Image: 'busybox', ...extra })).toThrow(`portlayer cannot honour ${field}`)
  })

  it.each([
    [{ Image: 3 }, 'Image must be a string'],
    [{ Image: 'busybox', Env: [1] }, 'Env must be a list of strings'],
    [{ Image: 'busybox', Tty: 'yes' }, 'Tty must be true or false'],
    [{ Image: 'busybox', HostConfig: [] }, 'HostConfig must be an object'],
    [{ Image: 'busybox', Hostname: 'not a host' }, 'invalid hostname format'],
    [{ Image: 'busybox', NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } } }, 'cannot be connected to network endpoints: a, b'],
    [{}, 'Config.Image is required'],
  ])('refuses %j: %s', (body, message) => {
    expect(() => parseCreateBody(body)).toThrow(message)
  })

  it('normalizes links the way docker writes them', () => {
    expect(normalizeLink('db', 'x')).toBe('db:db')
    expect(normalizeLink('/db:/web/alias', 'x')).toBe('db:alias')
    expect(() => normalizeLink('a:b:c', 'HostConfig.Links')).toThrow('invalid link in HostConfig.Links')
  })
})
