import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { isFault, moref, parseDatastorePath, type DatastoreFile, type VimClient } from '../../../src/vim/index.js'
import { connectTo, datacenterRefs, type DatacenterRefs } from './support.js'

const sim = useSim()

let client: VimClient
let refs: DatacenterRefs
let dsDir: string

beforeAll(async () => {
  client = await connectTo(sim())
  refs = datacenterRefs(sim())
  dsDir = refs.dc.datastores[0]!.path
})
afterAll(async () => {
  await client?.close()
})

const file = (p: string): DatastoreFile => ({ datastore: refs.datastore, datacenter: refs.dc.name, path: p })

describe('datastore files over HTTP', () => {
  it('writes a file that then exists on the datastore, creating its folders', async () => {
    await client.files.put(file('ctr 1/output.log'), 'line one\nline two\n')
    expect(readFileSync(path.join(dsDir, 'ctr 1', 'output.log'), 'utf8')).toBe('line one\nline two\n')
  })

  it('writes a stream', async () => {
    await client.files.put(file('ctr 1/stream.bin'), Readable.from([Buffer.from('ab'), Buffer.from('cd')]))
    expect(readFileSync(path.join(dsDir, 'ctr 1', 'stream.bin'), 'utf8')).toBe('abcd')
  })

  it('reads a whole file as a stream, with its size', async () => {
    mkdirSync(path.join(dsDir, 'ctr2'), { recursive: true })
    writeFileSync(path.join(dsDir, 'ctr2', 'tether.debug'), 'x'.repeat(70_000) + 'end')
    const read = await client.files.get(file('ctr2/tether.debug'))
    expect(read.partial).toBe(false)
    expect(read.size).toBe(70_003)
    const body = await text(read.stream)
    expect(body.length).toBe(70_003)
    expect(body.endsWith('end')).toBe(true)
  })

  it('reads a byte range (a tail) and knows the whole size', async () => {
    writeFileSync(path.join(dsDir, 'ctr2', 'ranged.log'), '0123456789')
    const tail = await client.files.get(file('ctr2/ranged.log'), { range: { start: 6 } })
    expect(tail.partial).toBe(true)
    expect(tail.size).toBe(10)
    expect(await text(tail.stream)).toBe('6789')
    const middle = await client.files.get(file('ctr2/ranged.log'), { range: { start: 2, end: 4 } })
    expect(await text(middle.stream)).toBe('234')
  })

  it('reads nothing from beyond the end (a follow that has caught up)', async () => {
    const after = await client.files.get(file('ctr2/ranged.log'), { range: { start: 10 } })
    expect(await text(after.stream)).toBe('')
  })

  it('gives the size with HEAD', async () => {
    expect(await client.files.size(file('ctr2/ranged.log'))).toBe(10)
  })

  it('fails a missing file with FileNotFound naming it', async () => {
    const err = await client.files.get(file('nope/missing.log')).catch((e: unknown) => e)
    expect(isFault(err, 'FileNotFound')).toBe(true)
    expect((err as Error).message).toContain('[LocalDS_0] nope/missing.log')
    await expect(client.files.size(file('nope/missing.log'))).rejects.toThrow(/FileNotFound/)
  })
})

describe('datastore folders through the FileManager', () => {
  it('makes a folder, refuses to make it twice, lists it and deletes it', async () => {
    const datacenter = moref('Datacenter', refs.dc.moref)
    await client.makeDirectory(`[${refs.datastore}] made/inner`, datacenter, true)
    expect(existsSync(path.join(dsDir, 'made', 'inner'))).toBe(true)

    const again = await client.makeDirectory(`[${refs.datastore}] made/inner`, datacenter, false).catch((e: unknown) => e)
    expect(isFault(again, 'FileAlreadyExists')).toBe(true)

    await client.files.put(file('made/inner/a.txt'), 'a')
    const { props } = await client.retrieveOne<{ browser: { type: string; value: string } }>(
      moref('Datastore', refs.dc.datastores[0]!.moref),
      ['browser'],
    )
    const browser = moref('HostDatastoreBrowser', props.browser!.value)
    const listing = await client.searchDatastore(browser, `[${refs.datastore}] made/inner`)
    expect(listing.file.map((f) => f.path)).toEqual(['a.txt'])
    expect(parseDatastorePath(listing.folderPath).datastore).toBe(refs.datastore)

    await client.deleteDatastoreFile(`[${refs.datastore}] made`, datacenter)
    expect(existsSync(path.join(dsDir, 'made'))).toBe(false)
    const gone = await client.deleteDatastoreFile(`[${refs.datastore}] made`, datacenter).catch((e: unknown) => e)
    expect(isFault(gone, 'FileNotFound')).toBe(true)
  })
})
