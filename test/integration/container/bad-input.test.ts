// Bad input stops at the REST boundary: every field of the create body with a wrong type, empty, too long, with
// markup or control characters, unknown fields, bodies that are not JSON or far too big, and bad path and query
// values. Each answer is a 4xx with a `code`, and the simulator's own request counts show that none of them
// reached vSphere.
import { beforeAll, describe, expect, it } from 'vitest'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { quietStats, simVms, statsDelta } from '../../helpers/sim-reads.js'

const long = (n: number, c = 'a'): string => c.repeat(n)
const manyAliases = Array.from({ length: 33 }, (_, i) => `alias${i}`)
const manyNetworks = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`net${i}`, {}]))
const manyLinks = Array.from({ length: 65 }, (_, i) => `c${i}:a${i}`)
const manyAnnotations = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']))

/** [what is wrong, body, the code expected] */
const badBodies: Array<[string, unknown, string]> = [
  // wrong types
  ['name is a number', { name: 123 }, 'invalid_name'],
  ['name is null', { name: null }, 'invalid_name'],
  ['id is a number', { id: 5 }, 'invalid_request'],
  ['image is an array', { image: ['busybox'] }, 'invalid_request'],
  ['cpus is a string', { cpus: '2' }, 'invalid_request'],
  ['cpus is a fraction', { cpus: 1.5 }, 'invalid_request'],
  ['memoryMB is a string', { memoryMB: '512' }, 'invalid_request'],
  ['memoryMB is a boolean', { memoryMB: true }, 'invalid_request'],
  ['networks is an array', { networks: ['bridge'] }, 'invalid_request'],
  ['an endpoint is a string', { networks: { bridge: 'x' } }, 'invalid_request'],
  ['aliases is a string', { networks: { bridge: { aliases: 'web' } } }, 'invalid_request'],
  ['an alias is a number', { networks: { bridge: { aliases: [7] } } }, 'invalid_request'],
  ['links is a string', { links: 'db:database' }, 'invalid_request'],
  ['annotations is an array', { annotations: [['k', 'v']] }, 'invalid_request'],
  ['an annotation value is a number', { annotations: { k: 1 } }, 'invalid_request'],
  ['hostname is a boolean', { hostname: true }, 'invalid_request'],
  ['the body is an array', [{ name: 'web' }], 'invalid_request'],
  ['the body is a string', 'web', 'invalid_request'],
  ['the body is null', null, 'invalid_request'],
  // empty
  ['name is empty', { name: '' }, 'invalid_name'],
  ['name is one character', { name: 'a' }, 'invalid_name'],
  ['id is empty', { id: '' }, 'invalid_request'],
  ['image is empty', { image: '' }, 'invalid_request'],
  ['cpus is 0', { cpus: 0 }, 'invalid_request'],
  ['memoryMB is 0', { memoryMB: 0 }, 'invalid_request'],
  ['a network name is empty', { networks: { '': {} } }, 'invalid_request'],
  ['an alias is empty', { networks: { bridge: { aliases: [''] } } }, 'invalid_request'],
  ['a link is empty', { links: [''] }, 'invalid_request'],
  ['a link has no alias', { links: ['db:'] }, 'invalid_request'],
  ['an annotation key is empty', { annotations: { '': 'v' } }, 'invalid_request'],
  ['hostname is empty', { hostname: '' }, 'invalid_request'],
  // out of range and too long
  ['name is 256 characters', { name: long(256) }, 'invalid_name'],
  ['id is 65 characters', { id: long(65, 'a') }, 'invalid_request'],
  ['id is upper case', { id: long(64, 'A') }, 'invalid_request'],
  ['image is 256 characters', { image: long(256) }, 'invalid_request'],
  ['cpus is 129', { cpus: 129 }, 'invalid_request'],
  ['cpus is negative', { cpus: -1 }, 'invalid_request'],
  ['memoryMB is not a multiple of 4', { memoryMB: 1023 }, 'invalid_request'],
  ['memoryMB is above 1 TiB', { memoryMB: 1048580 }, 'invalid_request'],
  ['17 networks', { networks: manyNetworks }, 'invalid_request'],
  ['a network name of 129 characters', { networks: { [long(129)]: {} } }, 'invalid_request'],
  ['33 aliases on a network', { networks: { bridge: { aliases: manyAliases } } }, 'invalid_request'],
  ['an alias of 129 characters', { networks: { bridge: { aliases: [long(129)] } } }, 'invalid_request'],
  ['the same alias twice', { networks: { bridge: { aliases: ['a1', 'a1'] } } }, 'invalid_request'],
  ['65 links', { links: manyLinks }, 'invalid_request'],
  ['65 annotations', { annotations: manyAnnotations }, 'invalid_request'],
  ['an annotation key of 129 characters', { annotations: { [long(129)]: 'v' } }, 'invalid_request'],
  ['an annotation value of 4097 characters', { annotations: { k: long(4097) } }, 'invalid_request'],
  ['hostname of 64 characters', { hostname: long(64) }, 'invalid_request'],
  // markup and control characters
  ['name with markup', { name: 'web<b>' }, 'invalid_name'],
  ['name with an ampersand', { name: 'a&b' }, 'invalid_name'],
  ['name with a NUL', { name: 'web\u0000x' }, 'invalid_name'],
  ['name with a newline', { name: 'web\nx' }, 'invalid_name'],
  ['name with a space', { name: 'my web' }, 'invalid_name'],
  ['name with a slash', { name: 'a/b' }, 'invalid_name'],
  ['name starting with a dash', { name: '-web' }, 'invalid_name'],
  ['name with non-ASCII letters', { name: 'wéb' }, 'invalid_name'],
  ['image with markup', { image: 'busybox<x>' }, 'invalid_request'],
  ['image with a CDATA end', { image: 'a]]>b' }, 'invalid_request'],
  ['network name with markup', { networks: { 'net<x>': {} } }, 'invalid_request'],
  ['network name with a |', { networks: { 'a|b': {} } }, 'invalid_request'],
  ['alias with a quote', { networks: { bridge: { aliases: ['x"y'] } } }, 'invalid_request'],
  ['alias with a colon', { networks: { bridge: { aliases: ['a:b'] } } }, 'invalid_request'],
  ['link with markup', { links: ['db:<alias>'] }, 'invalid_request'],
  ['link with a |', { links: ['db:a|b'] }, 'invalid_request'],
  ['annotation value with markup', { annotations: { k: '<script>alert(1)</script>' } }, 'invalid_request'],
  ['annotation value with an entity', { annotations: { k: '&amp;' } }, 'invalid_request'],
  ['annotation value with a bell', { annotations: { k: 'a\u0007b' } }, 'invalid_request'],
  ['annotation value with a lone surrogate', { annotations: { k: 'a\ud800b' } }, 'invalid_request'],
  ['annotation value with U+FFFF', { annotations: { k: 'a\uffffb' } }, 'invalid_request'],
  ['annotation key with a /', { annotations: { 'a/b': 'v' } }, 'invalid_request'],
  ['annotation key with a ~', { annotations: { 'a~': 'v' } }, 'invalid_request'],
  ['hostname with a newline', { hostname: 'h\nx' }, 'invalid_request'],
  ['hostname with markup', { hostname: '<h>' }, 'invalid_request'],
  // unknown fields
  ['an unknown field', { name: 'web', privileged: true }, 'invalid_request'],
  ['an unknown endpoint field', { networks: { bridge: { aliases: [], ipv4: '10.0.0.1' } } }, 'invalid_request'],
  ['a prototype-poisoning field', JSON.parse('{"name":"web","__proto__":{"admin":true}}'), 'invalid_request'],
]

describe('bad input', () => {
  const pl = usePortlayer()
  const api = containersApi(pl)
  let baseline: Record<string, number>

  beforeAll(async () => {
    // one good container, so that refs in paths have something to miss
    await api.created({ name: 'existing' })
    baseline = await quietStats(pl().sim)
  })

  it.each(badBodies)('refuses a create body where %s', async (_what, body, code) => {
    const res = await pl().inject({
      method: 'POST',
      url: '/v1/containers',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code })
    expect(res.json<{ message: string }>().message).not.toBe('')
  })

  it('refuses a 10 MB body with 413 payload_too_large', async () => {
    const body = JSON.stringify({ name: 'huge', annotations: { k: long(10 * 1024 * 1024) } })
    const headers = { 'content-type': 'application/json' }
    const res = await pl().inject({ method: 'POST', url: '/v1/containers', headers, payload: body })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toMatchObject({ code: 'payload_too_large' })
  })

  it('refuses bodies that are not JSON', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['text/plain', 'name=web', 415, 'unsupported_media_type'],
      ['application/xml', '<name>web</name>', 415, 'unsupported_media_type'],
      ['application/json', '{"name": "web"', 400, 'invalid_request'],
      ['application/json', '', 400, 'invalid_request'],
    ]
    for (const [type, payload, status, code] of cases) {
      const res = await pl().inject({ method: 'POST', url: '/v1/containers', headers: { 'content-type': type }, payload })
      expect(res.statusCode, `${type} ${payload}`).toBe(status)
      expect(res.json()).toMatchObject({ code })
    }
  })

  it('refuses bad references and query values', async () => {
    const cases: Array<[string, string]> = [
      ['GET', `/v1/containers/${encodeURIComponent('<x>')}`],
      ['GET', `/v1/containers/${encodeURIComponent('a b')}`],
      ['GET', `/v1/containers/${encodeURIComponent('x\u0000')}`],
      ['GET', `/v1/containers/${long(256)}`],
      ['GET', '/v1/containers?all=maybe'],
      ['GET', '/v1/containers?all=true&extra=1'],
      ['POST', `/v1/containers/${encodeURIComponent('x&y')}/start`],
      ['POST', '/v1/containers/existing/stop?timeout=-1'],
      ['POST', '/v1/containers/existing/stop?timeout=soon'],
      ['DELETE', '/v1/containers/existing?force=yes'],
    ]
    for (const [method, url] of cases) {
      const res = await pl().inject({ method: method as 'GET', url })
      expect(res.statusCode, `${method} ${url}`).toBe(400)
      expect(res.json<{ code: string }>().code, `${method} ${url}`).toBe('invalid_request')
    }
  })

  it('sent nothing to vSphere for any of them, and created no VM', async () => {
    // the store's update loop waits on vSphere on its own, whatever the requests; nothing else may appear
    const { WaitForUpdatesEx: _loop, ...requests } = statsDelta(baseline, await pl().sim.stats())
    expect(requests).toEqual({})
    const names = (await simVms(pl().sim)).map((vm) => vm.name)
    expect(names).toHaveLength(1)
    expect(names[0]).toMatch(/^existing-[0-9a-f]{12}$/)
  })
})
