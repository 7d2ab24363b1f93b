// Fuzzing every REST route of a real composed service (govcsim underneath): random bodies, queries, path
// references and headers (Op-ID, Authorization, Content-Type). Whatever arrives, the answer is never a 5xx and
// every 4xx is the API's `{code, message}`. The routes come from the service's own OpenAPI document, so a route
// added later fails this test until it is fuzzed too.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'

const pl = usePortlayer({ sim: { vms: 0 } })
const api = containersApi(pl)

// `GET /v1/events` is a stream that only ends when the client leaves (it takes no query), so it is fuzzed only
// with headers it must refuse; every other route answers and ends.
const routes: Record<string, Array<'get' | 'post' | 'delete'>> = {
  '/healthz': ['get'],
  '/readyz': ['get'],
  '/openapi.json': ['get'],
  '/v1/containers': ['get', 'post'],
  '/v1/containers/{ref}': ['get', 'delete'],
  '/v1/containers/{ref}/start': ['post'],
  '/v1/containers/{ref}/stop': ['post'],
  '/v1/containers/{ref}/rename': ['post'],
  '/v1/containers/{ref}/logs': ['get'],
  '/v1/containers/{ref}/attach': ['post', 'delete'],
  '/v1/networks/{net}': ['get'],
  '/v1/events': ['get'],
}

const existing = ['fuzz-seed', 'fuzz-running']

const hostile = fc.constantFrom(
  '',
  ' ',
  '..',
  '../..',
  '%00',
  '\u0000',
  '<x>&amp;',
  '"\'',
  '__proto__',
  'constructor',
  'a'.repeat(600),
  '😀',
  '\ud800',
  'ab:cd',
  '-1',
  '1e999',
  'true',
  'null',
  '[]',
  '{}',
)
const text = fc.oneof(hostile, fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 12 }))
const ref = fc.oneof(text, fc.constantFrom(...existing), fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,12}$/))
const queryValue = fc.oneof(text, fc.constantFrom('0', '1', 'true', 'false', 'raw', 'json-file', '2020-01-01T00:00:00Z'))
const queryKey = fc.oneof(
  fc.constantFrom('all', 'force', 'name', 'since', 'until', 'tail', 'timestamps', 'format', 'stdout', 'stderr', 'timeout'),
  text,
)
const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 })

const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      name: text,
      id: text,
      image: text,
      cpus: fc.oneof(fc.integer(), text),
      memoryMB: fc.oneof(fc.integer(), fc.double()),
      networks: fc.dictionary(text, fc.record({ aliases: fc.array(text, { maxLength: 3 }) }, { requiredKeys: [] }), { maxKeys: 2 }),
      links: fc.array(text, { maxLength: 3 }),
      annotations: fc.dictionary(text, text, { maxKeys: 3 }),
      hostname: text,
      address: text,
      __proto__: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
)
const body = fc.oneof(
  fc.constant(undefined),
  jsonBody.map((v) => ({ type: 'application/json', payload: JSON.stringify(v) })),
  fc.tuple(fc.constantFrom('application/json', 'text/plain', 'application/xml', 'multipart/form-data', ''), text).map(
    ([type, payload]) => ({ type, payload }),
  ),
)
const headers = fc.record(
  {
    'op-id': fc.oneof(text, fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._:-]{0,20}$/)),
    authorization: fc.oneof(text, fc.constant('Bearer '), fc.string().map((s) => `Bearer ${s}`)),
    accept: fc.constantFrom('*/*', 'application/json', 'text/html', ''),
  },
  { requiredKeys: [] },
)

/** the printable, encodable form of a path segment the way a client would send it */
function segment(s: string): string {
  try {
    return encodeURIComponent(s)
  } catch {
    return escape(s) // a lone surrogate: send the bytes a sloppy client would
  }
}

function queryString(pairs: Array<[string, string]>, route: string): string {
  const kept = pairs.filter(([k, v]) => {
    // a numeric stop timeout on a running container would wait that long for a guest that never shuts down
    if (route.endsWith('/stop') && k === 'timeout' && /^\s*\+?\d/.test(v)) return false
    // following a log keeps the response open until the container stops
    if (route.endsWith('/logs') && k === 'follow') return false
    return true
  })
  return kept.length === 0 ? '' : '?' + kept.map(([k, v]) => `${segment(k)}=${segment(v)}`).join('&')
}

const request = fc
  .tuple(fc.constantFrom(...Object.keys(routes).filter((r) => r !== '/v1/events')), ref, query, body, headers)
  .chain(([route, r, q, b, h]) =>
    fc.constantFrom(...(routes[route] ?? ['get'])).map((method) => ({
      method: method.toUpperCase() as 'GET' | 'POST' | 'DELETE',
      url: route.replace(/\{(ref|net)\}/, segment(r)) + queryString(q, route),
      body: b,
      headers: h,
    })),
  )

function assertApiAnswer(res: { statusCode: number; headers: Record<string, unknown>; body: string }, what: string): void {
  expect(res.statusCode, what).toBeLessThan(500)
  if (res.statusCode >= 400) {
    expect(String(res.headers['content-type']), what).toMatch(/^application\/json/)
    const parsed = JSON.parse(res.body) as { code?: unknown; message?: unknown }
    expect(typeof parsed.code, `${what}: ${res.body}`).toBe('string')
    expect(parsed.code as string, what).toMatch(/^[a-z][a-z_]*$/)
    expect(typeof parsed.message, `${what}: ${res.body}`).toBe('string')
  }
}

beforeAll(async () => {
  await api.created({ name: 'fuzz-seed' })
  const running = await api.created({ name: 'fuzz-running' })
  expect((await api.start(running.id)).status).toBe(204)
})

describe('every REST route under random input', () => {
  it('fuzzes exactly the routes the OpenAPI document lists', async () => {
    const doc = (await pl().inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, object> }
    const documented = Object.fromEntries(Object.entries(doc.paths).map(([p, ops]) => [p, Object.keys(ops).sort()]))
    expect(documented).toEqual(Object.fromEntries(Object.entries(routes).map(([p, m]) => [p, [...m].sort()])))
  })

  it('never answers 5xx, and every refusal is {code, message}', async () => {
    const seen = new Set<number>()
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const res = await pl().inject({
          method: req.method,
          url: req.url,
          headers: { ...req.headers, ...(req.body ? { 'content-type': req.body.type } : {}) },
          ...(req.body ? { payload: req.body.payload } : {}),
        })
        assertApiAnswer(res, `${req.method} ${req.url}`)
        seen.add(res.statusCode)
      }),
      { numRuns: 400 },
    )
    // the input reached the handlers, not only the schemas
    expect([...seen].filter((s) => s < 300).length).toBeGreaterThan(0)
    expect(seen).toContain(404)
  })

  it('refuses a malformed Op-ID on the events stream with {code, message} rather than opening the stream', async () => {
    const wellFormed = /^[a-zA-Z0-9][a-zA-Z0-9._:-]{0,127}$/
    await fc.assert(
      fc.asyncProperty(text, async (opId) => {
        fc.pre(!wellFormed.test(opId) && !/^[\t ]*$/.test(opId) && /^[\t\x20-\x7e\x80-\xff]*$/.test(opId))
        const res = await pl().inject({ method: 'GET', url: '/v1/events', headers: { 'op-id': opId } })
        assertApiAnswer(res, `GET /v1/events Op-ID ${JSON.stringify(opId)}`)
        expect(res.statusCode).toBe(400)
      }),
      { numRuns: 40 },
    )
  })

  it('still serves the containers afterwards (the fuzz may have stopped, renamed or removed them)', async () => {
    expect((await pl().inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
    expect((await api.list(true)).status).toBe(200)
    const again = await api.created({ name: 'fuzz-after' })
    expect((await api.inspect(again.id)).body.name).toBe('fuzz-after')
  })
})
