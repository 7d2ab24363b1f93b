// Reading container output through `GET /v1/containers/{ref}/logs`: log files are written with the iolog writer
// and put on the simulator's datastore over HTTP (through a vim client of the test's own), then read back through
// the REST API with every combination of tail, time window, streams and format. What a tail cost is read from the
// service's own log line, which counts the bytes fetched from the datastore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { encodeLog } from '../../../src/logs/iolog/index.js'
import type { VimClient } from '../../../src/vim/index.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { createTestVM, RawSoap } from '../../helpers/raw-soap.js'
import { fixture } from '../../helpers/vic-fixtures.js'
import { connectClient, entries, getLogs, logSink, outputLog, second, servedRecord, t0, unix } from './support.js'

const sink = logSink('info')
const pl = usePortlayer({ logger: sink.logger })
const api = containersApi(pl)
let client: VimClient

beforeAll(async () => {
  client = await connectClient(pl())
})
afterAll(async () => {
  await client?.close()
})

/** A container with `output.log` holding `log`. */
async function containerWithLog(log: Buffer): Promise<ContainerView> {
  const c = await api.created()
  await client.files.put(outputLog(pl(), c), log)
  return c
}

// Six entries a second apart: out-0 … out-5 on stdout, with err-2 and err-4 on stderr beside them.
const story = Buffer.concat([
  entries('out-0\n', t0),
  entries('out-1\n', t0 + 1n * second),
  entries('out-2\n', t0 + 2n * second),
  entries('err-2\n', t0 + 2n * second, 'stderr'),
  entries('out-3\n', t0 + 3n * second),
  entries('out-4\n', t0 + 4n * second),
  entries('err-4\n', t0 + 4n * second + 500_000_000n, 'stderr'),
  entries('out-5\n', t0 + 5n * second),
])
const all = ['out-0', 'out-1', 'out-2', 'err-2', 'out-3', 'out-4', 'err-4', 'out-5']
const lines = (body: string): string[] => body.split('\n').filter((l) => l !== '')

describe('logs of a container', () => {
  let c: ContainerView
  beforeAll(async () => {
    c = await containerWithLog(story)
  })

  it('gives everything the container wrote, in order, as raw bytes', async () => {
    const res = await getLogs(pl(), c.name)
    expect(res.status).toBe(200)
    expect(res.contentType).toBe('application/octet-stream')
    expect(lines(res.body)).toEqual(all)
  })

  it('finds the log by ID prefix as well as by name', async () => {
    expect(lines((await getLogs(pl(), c.shortId)).body)).toEqual(all)
  })

  it('prefixes each entry with its time when asked for timestamps', async () => {
    const res = await getLogs(pl(), c.id, 'timestamps=true&tail=2')
    expect(res.body).toBe('2023-11-14T22:13:24.500000000Z err-4\n2023-11-14T22:13:25.000000000Z out-5\n')
  })

  it('keeps the last N entries with tail', async () => {
    expect(lines((await getLogs(pl(), c.id, 'tail=3')).body)).toEqual(['out-4', 'err-4', 'out-5'])
    expect((await getLogs(pl(), c.id, 'tail=0')).body).toBe('')
    expect(lines((await getLogs(pl(), c.id, 'tail=100')).body)).toEqual(all)
  })

  it('keeps entries written after since, given as unix seconds, with a fraction, or RFC 3339', async () => {
    expect(lines((await getLogs(pl(), c.id, `since=${unix(3)}`)).body)).toEqual(['out-4', 'err-4', 'out-5'])
    expect(lines((await getLogs(pl(), c.id, `since=${unix(4)}.25`)).body)).toEqual(['err-4', 'out-5'])
    const rfc = encodeURIComponent('2023-11-14T23:13:21+01:00')
    expect(lines((await getLogs(pl(), c.id, `since=${rfc}`)).body)).toEqual(['out-2', 'err-2', 'out-3', 'out-4', 'err-4', 'out-5'])
  })

  it('keeps entries written up to until', async () => {
    expect(lines((await getLogs(pl(), c.id, `until=${unix(2)}`)).body)).toEqual(['out-0', 'out-1', 'out-2', 'err-2'])
    expect(lines((await getLogs(pl(), c.id, 'until=2023-11-14T22:13:21.5Z')).body)).toEqual(['out-0', 'out-1'])
  })

  it('combines since, until and tail: the tail counts from the end of the file, then the window applies', async () => {
    expect(lines((await getLogs(pl(), c.id, `since=${unix(1)}&until=${unix(4)}`)).body)).toEqual(['out-2', 'err-2', 'out-3', 'out-4'])
    expect(lines((await getLogs(pl(), c.id, `since=${unix(0)}&tail=2`)).body)).toEqual(['err-4', 'out-5'])
    expect(lines((await getLogs(pl(), c.id, `until=${unix(4)}&tail=4`)).body)).toEqual(['out-3', 'out-4'])
    expect(lines((await getLogs(pl(), c.id, `since=${unix(2)}&until=${unix(5)}&tail=5`)).body)).toEqual(['out-3', 'out-4', 'err-4', 'out-5'])
  })

  it('keeps one stream with stdout=false or stderr=false', async () => {
    expect(lines((await getLogs(pl(), c.id, 'stdout=false')).body)).toEqual(['err-2', 'err-4'])
    expect(lines((await getLogs(pl(), c.id, 'stderr=false&tail=3')).body)).toEqual(['out-4', 'out-5'])
    expect(lines((await getLogs(pl(), c.id, 'stderr=0&timestamps=1&since=' + unix(3))).body)).toEqual([
      '2023-11-14T22:13:24.000000000Z out-4',
      '2023-11-14T22:13:25.000000000Z out-5',
    ])
  })

  it('writes docker json-file lines with format=json-file', async () => {
    const res = await getLogs(pl(), c.id, 'format=json-file&tail=3')
    expect(res.status).toBe(200)
    expect(res.contentType).toBe('application/x-ndjson')
    expect(res.body).toBe(
      '{"log":"out-4\\n","stream":"stdout","time":"2023-11-14T22:13:24Z"}\n' +
        '{"log":"err-4\\n","stream":"stderr","time":"2023-11-14T22:13:24.5Z"}\n' +
        '{"log":"out-5\\n","stream":"stdout","time":"2023-11-14T22:13:25Z"}\n',
    )
    const onlyErrors = await getLogs(pl(), c.id, 'format=json-file&stdout=false')
    expect(onlyErrors.body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { log: string; stream: string })).toEqual([
      { log: 'err-2\n', stream: 'stderr', time: '2023-11-14T22:13:22Z' },
      { log: 'err-4\n', stream: 'stderr', time: '2023-11-14T22:13:24.5Z' },
    ])
  })
})

describe('logs that are not tidy', () => {
  it('gives the bytes that arrived of an entry cut short at the end of the file', async () => {
    const whole = Buffer.concat([entries('first\n', t0), entries('second line, cut\n', t0 + second)])
    const c = await containerWithLog(whole.subarray(0, whole.length - 6))
    expect((await getLogs(pl(), c.id)).body).toBe('first\nsecond line')
    expect((await getLogs(pl(), c.id, 'tail=1')).body).toBe('second line')
    expect((await getLogs(pl(), c.id, 'format=json-file&tail=1')).body).toBe(
      '{"log":"second line","stream":"stdout","time":"2023-11-14T22:13:21Z"}\n',
    )
  })

  it('skips garbage in the middle and counts the tail over it', async () => {
    const c = await containerWithLog(
      Buffer.concat([
        entries('before\n', t0),
        Buffer.from([0x0d, 0xff, 0x00, 0x41, 0x3d, 0x3d, 0x0a]),
        Buffer.from('not an entry at all ==\n'),
        entries('after-1\nafter-2\n', t0 + second),
      ]),
    )
    expect(lines((await getLogs(pl(), c.id)).body)).toEqual(['before', 'after-1', 'after-2'])
    expect(lines((await getLogs(pl(), c.id, 'tail=3')).body)).toEqual(['before', 'after-1', 'after-2'])
    expect(lines((await getLogs(pl(), c.id, 'tail=1')).body)).toEqual(['after-2'])
  })

  it('gives an empty log for a container that has not written one yet', async () => {
    const c = await api.created()
    const res = await getLogs(pl(), c.id, 'tail=5')
    expect(res.status).toBe(200)
    expect(res.body).toBe('')
  })
})

describe('a large log', () => {
  it('reads the last 5 entries of a 50 MB log by fetching kilobytes, not the file', async () => {
    const line = `${'x'.repeat(90)}\n`
    const block = encodeLog(line.repeat(1024), { clock: () => t0 })
    const count = Math.ceil((50 * 1024 * 1024) / block.length)
    const last = entries('the end is near\nfour\nthree\ntwo\none\n', t0 + 10n * second)
    const log = Buffer.concat([...Array.from({ length: count }, () => block), last])
    const c = await containerWithLog(log)

    const res = await getLogs(pl(), c.id, 'tail=5', { 'op-id': 'tail-of-50mb' })
    expect(res.body).toBe('the end is near\nfour\nthree\ntwo\none\n')
    const served = await servedRecord(sink, 'tail-of-50mb')
    expect(served.size).toBe(log.length)
    expect(served.start).toBe(log.length - last.length)
    expect(served.bytes).toBeLessThan(64 * 1024)

    const whole = await getLogs(pl(), c.id, '', { 'op-id': 'all-of-50mb' })
    expect(whole.body.length).toBe(count * line.length * 1024 + 35)
    expect((await servedRecord(sink, 'all-of-50mb')).bytes).toBe(log.length)
  })
})

describe('refusals', () => {
  let c: ContainerView
  beforeAll(async () => {
    c = await containerWithLog(story)
  })

  it.each([
    ['format=xml', 400, 'unknown_log_format', /no log format named 'xml': use one of 'raw', 'json-file'/],
    ['colour=true', 400, 'invalid_log_option', /unknown option 'colour' for log format raw: it takes 'timestamps'/],
    ['format=json-file&timestamps=true', 400, 'invalid_log_option', /leave out timestamps/],
    ['since=yesterday', 400, 'invalid_log_option', /since must be unix seconds/],
    ['until=2023-02-30T00:00:00Z', 400, 'invalid_log_option', /until must be unix seconds/],
    [`since=${unix(4)}&until=${unix(2)}`, 400, 'invalid_log_option', /since must be before until/],
    ['stdout=false&stderr=false', 400, 'invalid_log_option', /ask for at least one/],
    ['tail=-1', 400, 'invalid_request', /tail/],
  ])('refuses %s', async (query, status, code, message) => {
    const res = await getLogs(pl(), c.id, query)
    expect(res.status).toBe(status)
    expect(res.error?.code).toBe(code)
    expect(res.error?.message).toMatch(message)
  })

  it('answers 404 for a container that does not exist', async () => {
    const res = await getLogs(pl(), 'no-such-container')
    expect(res.status).toBe(404)
    expect(res.error?.code).toBe('not_found')
  })
})

describe('a container of data version 0', () => {
  // VIC's first tether wrote plain bytes to output.log, without entry headers; the VM is made with the golden
  // vector of such a container, outside portlayer, and found by its update loop
  const old = fixture('legacy-no-version')
  const text = 'plain one\nplain two\nplain three\nno newline yet'
  let soap: RawSoap

  beforeAll(async () => {
    soap = await RawSoap.connect(pl().sim.url, pl().sim.username, pl().sim.password)
    const dc = pl().sim.inventory.datacenters[0]!
    const outcome = await createTestVM(soap, dc, `ancient-${old.expect.id}`, {
      guestId: 'otherGuest64',
      extraConfig: Object.entries(old.extraConfig),
    })
    expect(outcome.state, outcome.xml).toBe('success')
    const c = await eventually(async () => {
      const res = await api.inspect(old.expect.id)
      if (res.status !== 200) throw new Error(`not listed yet: HTTP ${res.status}`)
      return res.body
    })
    expect(c.dataVersion).toBe(0)
    await client.files.put(outputLog(pl(), c), text)
  })
  afterAll(() => soap?.close())

  it('gives the raw bytes as they are', async () => {
    const res = await getLogs(pl(), old.expect.name)
    expect(res.status).toBe(200)
    expect(res.body).toBe(text)
  })

  it('counts the tail in lines', async () => {
    expect((await getLogs(pl(), old.expect.id, 'tail=2')).body).toBe('plain three\nno newline yet')
    expect((await getLogs(pl(), old.expect.id, 'tail=9')).body).toBe(text)
  })

  it.each([
    ['timestamps=true', /no times or streams: format raw with timestamps cannot be served/],
    ['format=json-file', /format json-file cannot be served/],
    [`since=${unix(1)}`, /leave out since and until/],
    ['stderr=false', /stdout and stderr cannot be told apart/],
  ])('refuses %s with a clear 400', async (query, message) => {
    const res = await getLogs(pl(), old.expect.id, query)
    expect(res.status).toBe(400)
    expect(res.error?.code).toBe('invalid_log_option')
    expect(res.error?.message).toMatch(/container ancient/)
    expect(res.error?.message).toMatch(message)
  })
})
