// Bad input through the Docker API front gets a docker-shaped 4xx (`{"message"}`, Content-Type application/json),
// never a 5xx or a crash: wrong types, fields portlayer cannot honour (named in the message), unknown endpoints,
// bodies over the limit, unknown API versions, malformed filters. Old clients' versioned paths and unversioned
// paths are both served, and `_ping` carries the API version. After all of it the service still answers.
import { describe, expect, it } from 'vitest'
import { makeImageArchive, simContainers, useDockerRig } from './support.js'

describe('bad input through the Docker API', () => {
  const rig = useDockerRig()
  const url = (path: string) => `${rig.server.dockerAddress}${path}`
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(url(path), {
      method,
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }),
    })
    const text = await res.text()
    return { status: res.status, type: res.headers.get('content-type'), text, json: () => JSON.parse(text) as { message: string } }
  }

  it('_ping answers GET and HEAD with the API version; /v1.24 and unversioned paths are served', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(url('/_ping'), { method })
      expect(res.status).toBe(200)
      expect(res.headers.get('api-version')).toBe('1.41')
    }
    expect((await call('GET', '/v1.24/containers/json')).status).toBe(200)
    expect((await call('GET', '/containers/json')).status).toBe(200)
    const version = (await call('GET', '/v1.41/version')).json() as unknown as { ApiVersion: string; MinAPIVersion: string }
    expect(version).toMatchObject({ ApiVersion: '1.41', MinAPIVersion: '1.24' })
    const old = await rig.dockerWith({ DOCKER_API_VERSION: '1.24' }, 'ps', '-a')
    expect(old.code, old.stderr).toBe(0)
  })

  it('an API version outside 1.24–1.41 is refused in docker\'s words; so is the docker CLI pinned to one', async () => {
    const tooNew = await call('GET', '/v1.99/containers/json')
    expect(tooNew.status).toBe(400)
    expect(tooNew.json().message).toBe('client version 1.99 is too new. Maximum supported API version is 1.41')
    const tooOld = await call('GET', '/v1.12/info')
    expect(tooOld.status).toBe(400)
    expect(tooOld.json().message).toContain('client version 1.12 is too old. Minimum supported API version is 1.24')
    const pinned = await rig.dockerWith({ DOCKER_API_VERSION: '1.50' }, 'ps')
    expect(pinned.code).not.toBe(0)
    expect(pinned.stderr).toContain('client version 1.50 is too new. Maximum supported API version is 1.41')
  })

  it('unknown endpoints are docker\'s 404; attach and exec are a clear 501', async () => {
    for (const [method, path] of [['GET', '/nothing/here'], ['POST', '/v1.41/containers/x/frobnicate'], ['GET', '/v2/containers/json']] as const) {
      const res = await call(method, path)
      expect(res.status).toBe(404)
      expect(res.type).toBe('application/json')
      expect(res.json().message).toBe('page not found')
    }
    await rig.docker('load', '-i', makeImageArchive(rig.dir, 'busybox:latest').file)
    await rig.docker('create', '--name', 'target', 'busybox')
    for (const path of ['/containers/target/attach', '/containers/target/exec']) {
      const res = await call('POST', path, {})
      expect(res.status).toBe(501)
      expect(res.json().message).toContain('portlayer does not offer')
    }
    // docker run (not -d) attaches first: the CLI reports the 501 in its own words
    const run = await rig.docker('run', 'busybox')
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('501')
  })

  it('create: wrong types, unhonoured fields (named), bad names and bad JSON are 400; nothing is created', async () => {
    const before = (await simContainers(rig)).length
    const cases: Array<[unknown, RegExp]> = [
      [{ Image: 'busybox', Env: 'X=1' }, /Env must be a list of strings/],
      [{ Image: 'busybox', Cmd: 7 }, /Cmd must be a list of strings/],
      [{ Image: 'busybox', Labels: { a: 1 } }, /Labels\.a must be a string/],
      [{ Image: 'busybox', StopTimeout: 'soon' }, /StopTimeout must be a whole number/],
      [{ Image: 'busybox', HostConfig: { Privileged: true } }, /cannot honour HostConfig\.Privileged/],
      [{ Image: 'busybox', HostConfig: { Binds: ['/a:/b'] } }, /cannot honour HostConfig\.Binds/],
      [{ Image: 'busybox', HostConfig: { NetworkMode: 'host' } }, /cannot honour HostConfig\.NetworkMode/],
      [{ Image: 'busybox', ExposedPorts: { '80/tcp': {} } }, /cannot honour ExposedPorts/],
      [{ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'always' } } }, /cannot honour HostConfig\.RestartPolicy\.Name/],
      [{ Image: 'busybox', HostConfig: { Memory: 1000 } }, /cannot honour HostConfig\.Memory/],
      [[1, 2], /the body must be an object/],
      [{ Env: [] }, /Image is required/],
    ]
    for (const [body, message] of cases) {
      const res = await call('POST', '/v1.41/containers/create', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json().message).toMatch(message)
    }
    const badName = await call('POST', '/containers/create?name=no%20spaces', { Image: 'busybox' })
    expect(badName.json().message).toBe('Invalid container name (no spaces), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed')
    const notJson = await call('POST', '/containers/create', '{"Image": ')
    expect(notJson.status).toBe(400)
    const proto = await call('POST', '/containers/create', '{"Image":"busybox","__proto__":{"x":1}}')
    expect(proto.status).toBe(400)
    const cli = await rig.docker('create', '--privileged', 'busybox')
    expect(cli.stderr).toContain('portlayer cannot honour HostConfig.Privileged')
    expect((await simContainers(rig)).length).toBe(before)
  })

  it('a body over the limit is 413; malformed filters and query values are 400', async () => {
    const huge = await call('POST', '/containers/create', JSON.stringify({ Image: 'busybox', Env: ['X='.padEnd(2 * 1024 * 1024, 'x')] }))
    expect(huge.status).toBe(413)
    expect(huge.json().message).toContain('larger than')
    for (const path of [
      '/containers/json?filters=%7Bnope',
      '/containers/json?filters=%7B%22colour%22%3A%5B%22red%22%5D%7D',
      '/containers/json?filters=%7B%22status%22%3A%5B%22sleeping%22%5D%7D',
      '/containers/json?filters=%7B%22label%22%3A%5B1%5D%7D',
      '/containers/target/stop?t=soon',
      '/containers/target/logs',
      '/containers/target/logs?stdout=1&tail=many',
    ]) {
      const method = path.includes('/stop') ? 'POST' : 'GET'
      const res = await call(method, path)
      expect(res.status, path).toBe(400)
      expect(typeof res.json().message).toBe('string')
    }
    const unknown = await call('GET', '/containers/nosuch/json')
    expect(unknown).toMatchObject({ status: 404 })
    expect(unknown.json().message).toBe('No such container: nosuch')
    const noImage = await call('GET', '/images/nosuch/json')
    expect(noImage.json().message).toBe('No such image: nosuch')
    const badArchive = await call('POST', '/images/load', Buffer.from('not a tar at all'), { 'content-type': 'application/x-tar' })
    expect(badArchive.status).toBe(400)
    expect(badArchive.json().message).toContain('the image archive cannot be loaded')
    const badNetwork = await call('POST', '/networks/create', { Name: 'n1', Driver: 'overlay' })
    expect(badNetwork.json().message).toContain('cannot honour Driver')
    expect((await call('GET', '/_ping')).status).toBe(200)
  })
})
