import { describe, expect, it } from 'vitest'
import { testApp } from './helpers/app.js'

const hex64 = 'a'.repeat(64)
const many = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i))
const manyKeys = <T>(n: number, value: T) => Object.fromEntries(many(n, (i) => [`k${i}`, value]))

// [field, bad value, why]: each must be refused before the service is called, with a message naming the field.
const badFields: Array<[string, unknown, string]> = [
  ['name', 123, 'wrong type'],
  ['name', null, 'null'],
  ['name', ['web'], 'array'],
  ['name', '', 'empty'],
  ['name', 'w', 'one character (docker needs two)'],
  ['name', 'w'.repeat(256), 'too long'],
  ['name', '-web', 'starts with a separator'],
  ['name', 'we b', 'space'],
  ['name', 'web/1', 'slash'],
  ['name', '<web/>', 'XML'],
  ['name', 'web\u0000', 'NUL'],
  ['name', 'wéb', 'non-ASCII'],
  ['id', 'abc', 'too short'],
  ['id', 'A'.repeat(64), 'upper case'],
  ['id', 'g'.repeat(64), 'not hex'],
  ['id', `${hex64}0`, 'too long'],
  ['id', `${hex64}\n`, 'trailing newline'],
  ['id', 64, 'wrong type'],
  ['image', '', 'empty'],
  ['image', 'b'.repeat(256), 'too long'],
  ['image', 'busybox\u0007', 'control character'],
  ['image', '<image>', 'XML'],
  ['image', 'busy box', 'space'],
  ['image', 42, 'wrong type'],
  ['cpus', 0, 'below 1'],
  ['cpus', 129, 'above 128'],
  ['cpus', 1.5, 'not an integer'],
  ['cpus', '2', 'string'],
  ['cpus', -1, 'negative'],
  ['memoryMB', 2, 'below 4'],
  ['memoryMB', 6, 'not a multiple of 4'],
  ['memoryMB', 1048580, 'above 1 TiB'],
  ['memoryMB', 512.5, 'not an integer'],
  ['memoryMB', '512', 'string'],
  ['networks', ['bridge'], 'array'],
  ['networks', 'bridge', 'string'],
  ['networks', { '': {} }, 'empty network name'],
  ['networks', { 'my net': {} }, 'space in network name'],
  ['networks', { '<net>': {} }, 'XML in network name'],
  ['networks', { 'net|x': {} }, 'ExtraConfig separator in network name'],
  ['networks', { ['n'.repeat(129)]: {} }, 'network name too long'],
  ['networks', { bridge: null }, 'null endpoint'],
  ['networks', { bridge: { aliases: 'web' } }, 'aliases not an array'],
  ['networks', { bridge: { aliases: ['we b'] } }, 'space in alias'],
  ['networks', { bridge: { aliases: ['db:x'] } }, 'colon in alias'],
  ['networks', { bridge: { aliases: ['x<y'] } }, 'XML in alias'],
  ['networks', { bridge: { aliases: ['a\u0001'] } }, 'control character in alias'],
  ['networks', { bridge: { aliases: ['a'.repeat(129)] } }, 'alias too long'],
  ['networks', { bridge: { aliases: many(33, (i) => `a${i}`) } }, 'too many aliases'],
  ['networks', { bridge: { aliases: ['a', 'a'] } }, 'duplicate alias'],
  ['networks', { bridge: { ipv4: '10.0.0.1' } }, 'unknown endpoint field'],
  ['networks', manyKeys(17, {}), 'too many networks'],
  ['links', 'db:database', 'not an array'],
  ['links', ['db'], 'no alias'],
  ['links', ['db:'], 'empty alias'],
  ['links', [':database'], 'empty name'],
  ['links', ['db:data base'], 'space'],
  ['links', ['d<b>:x'], 'XML'],
  ['links', ['db:x\u0000'], 'NUL'],
  ['links', [1], 'wrong item type'],
  ['links', many(65, (i) => `db${i}:a`), 'too many links'],
  ['annotations', ['a=b'], 'array'],
  ['annotations', { k: 1 }, 'number value'],
  ['annotations', { '': 'x' }, 'empty key'],
  ['annotations', { 'a/b': 'x' }, 'slash in key (ExtraConfig path separator)'],
  ['annotations', { 'a|b': 'x' }, 'pipe in key (ExtraConfig map separator)'],
  ['annotations', { ['k'.repeat(129)]: 'x' }, 'key too long'],
  ['annotations', { k: 'v'.repeat(4097) }, 'value too long'],
  ['annotations', { k: 'a\u0000b' }, 'NUL in value'],
  ['annotations', { k: 'line\u001b[31m' }, 'escape sequence in value'],
  ['annotations', { k: '<b>bold</b>' }, 'XML in value'],
  ['annotations', { k: 'a &amp; b' }, 'XML entity in value'],
  ['annotations', { k: '\ud800' }, 'lone surrogate in value'],
  ['annotations', { k: '\uffff' }, 'XML non-character in value'],
  ['annotations', manyKeys(65, 'v'), 'too many annotations'],
  ['hostname', '', 'empty'],
  ['hostname', '-web', 'leading hyphen'],
  ['hostname', 'web-', 'trailing hyphen'],
  ['hostname', 'h'.repeat(64), 'longer than 63'],
  ['hostname', 'web.example', 'a dot (not one label)'],
  ['hostname', 'we_b', 'underscore'],
  ['hostname', 'h<x>', 'XML'],
  ['hostname', true, 'wrong type'],
]

describe('POST /v1/containers refuses bad input before the service sees it', () => {
  it.each(badFields)('%s = %j (%s)', async (field, value) => {
    const { app, rec } = testApp()
    const res = await app.inject({ method: 'POST', url: '/v1/containers', payload: { name: 'web', [field]: value } })
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body.code).toBe(field === 'name' ? 'invalid_name' : 'invalid_request')
    expect(body.message).toContain(field)
    expect(rec.calls).toEqual([])
  })

  it.each([
    ['an unknown field', { name: 'web', bogus: 1 }, 'bogus'],
    ['a field in the wrong case', { name: 'web', Image: 'busybox' }, 'Image'],
    ['a docker-style nested config', { name: 'web', HostConfig: { Links: [] } }, 'HostConfig'],
  ])('refuses %s and names it', async (_what, payload, field) => {
    const { app, rec } = testApp()
    const res = await app.inject({ method: 'POST', url: '/v1/containers', payload })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ code: 'invalid_request', message: expect.stringContaining(field) })
    expect(rec.calls).toEqual([])
  })

  it.each([
    ['an array', '[]'],
    ['a string', '"web"'],
    ['null', 'null'],
    ['a number', '42'],
  ])('refuses a body that is %s', async (_what, payload) => {
    const { app, rec } = testApp()
    const res = await app.inject({
      method: 'POST',
      url: '/v1/containers',
      payload,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('invalid_request')
    expect(rec.calls).toEqual([])
  })

  it('refuses malformed JSON with invalid_request', async () => {
    const { app, rec } = testApp()
    const res = await app.inject({
      method: 'POST',
      url: '/v1/containers',
      payload: '{"name": "web",',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ code: 'invalid_request', message: 'the request body is not valid JSON' })
    expect(rec.calls).toEqual([])
  })

  it('refuses prototype-poisoning keys', async () => {
    const { app, rec } = testApp()
    const res = await app.inject({
      method: 'POST',
      url: '/v1/containers',
      payload: '{"name": "web", "__proto__": {"admin": true}}',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('invalid_request')
    expect(rec.calls).toEqual([])
  })

  it('refuses a 10 MB body with 413 payload_too_large', async () => {
    const { app, rec } = testApp()
    const payload = JSON.stringify({ name: 'web', annotations: { k: 'x'.repeat(10 * 1024 * 1024) } })
    const res = await app.inject({
      method: 'POST',
      url: '/v1/containers',
      payload,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toEqual({ code: 'payload_too_large', message: expect.stringContaining('1048576') })
    expect(rec.calls).toEqual([])
  })

  it('applies a smaller configured body limit', async () => {
    const { app, rec } = testApp({ bodyLimit: 64 })
    const res = await app.inject({
      method: 'POST',
      url: '/v1/containers',
      payload: { name: 'web', image: 'b'.repeat(100) },
    })
    expect(res.statusCode).toBe(413)
    expect(res.json().message).toContain('64 bytes')
    expect(rec.calls).toEqual([])
  })

  it('refuses a body that is not JSON with 415 unsupported_media_type', async () => {
    const { app, rec } = testApp()
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/containers',
        payload: 'name=web',
        headers: { 'content-type': type },
      })
      expect(res.statusCode, type).toBe(415)
      expect(res.json().code).toBe('unsupported_media_type')
    }
    expect(rec.calls).toEqual([])
  })
})

describe('POST /v1/containers passes a valid body through unchanged', () => {
  it('hands every field to the service as sent and answers 201 with the container', async () => {
    const { app, rec } = testApp()
    const body = {
      name: 'web.1_a-b',
      id: hex64,
      image: 'registry.example.com:5000/team/app:1.2@sha256:' + 'c'.repeat(64),
      cpus: 2,
      memoryMB: 512,
      networks: { bridge: { aliases: ['webalias', 'w.2'] }, 'backend.net': {} },
      links: ['db:database', 'cache.1:c'],
      annotations: { 'com.example.team': 'core: "quoted", ümlauts, emoji 😀', empty: '' },
      hostname: 'web-1',
    }
    const res = await app.inject({ method: 'POST', url: '/v1/containers', payload: body })
    expect(res.statusCode).toBe(201)
    expect(res.headers.location).toBe(`/v1/containers/${hex64}`)
    expect(res.json()).toMatchObject({ id: hex64, name: 'web.1_a-b', shortId: hex64.slice(0, 12) })
    expect(rec.calls).toHaveLength(1)
    expect(rec.calls[0]!.method).toBe('create')
    expect(rec.calls[0]!.args[0]).toEqual(body)
  })

  it('accepts an empty body object (every field optional)', async () => {
    const { app, rec } = testApp()
    const res = await app.inject({ method: 'POST', url: '/v1/containers', payload: {} })
    expect(res.statusCode).toBe(201)
    expect(rec.calls[0]!.args[0]).toEqual({})
  })

  it('accepts a name of exactly 255 characters', async () => {
    const { app, rec } = testApp()
    const name = 'n'.repeat(255)
    const res = await app.inject({ method: 'POST', url: '/v1/containers', payload: { name } })
    expect(res.statusCode).toBe(201)
    expect(rec.calls[0]!.args[0]).toEqual({ name })
  })
})
