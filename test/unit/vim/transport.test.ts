import { describe, expect, it } from 'vitest'
import { parseDatastorePath } from '../../../src/vim/datastore-files.js'
import { normalizeThumbprint } from '../../../src/vim/transport/agent.js'
import { parseServiceVersions } from '../../../src/vim/transport/service-version.js'

describe('vimServiceVersions.xml', () => {
  it('gives the urn:vim25 version', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8" ?><namespaces version="1.0"><namespace><name>urn:vim25</name>' +
      '<version>8.0.2.0</version><priorVersions><version>8.0.1.0</version><version>7.0</version></priorVersions>' +
      '</namespace><namespace><name>urn:vim2</name><version>2.0</version></namespace></namespaces>'
    expect(parseServiceVersions(xml)).toBe('8.0.2.0')
  })

  it('gives nothing for a document without it or not XML, so the client falls back to about.apiVersion', () => {
    const doc = (name: string, version: string): string =>
      `<namespaces><namespace><name>${name}</name><version>${version}</version></namespace></namespaces>`
    expect(parseServiceVersions(doc('urn:other', '1'))).toBeUndefined()
    expect(parseServiceVersions(doc('urn:vim25', 'not a version'))).toBeUndefined()
    expect(parseServiceVersions('<html>404 Not Found')).toBeUndefined()
  })
})

describe('thumbprints', () => {
  it('accept SHA-256 and SHA-1 in any case, with or without colons', () => {
    const sha1 = 'ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01'
    expect(normalizeThumbprint(sha1)).toBe(sha1.toUpperCase())
    expect(normalizeThumbprint(sha1.replace(/:/g, ''))).toBe(sha1.toUpperCase())
    expect(normalizeThumbprint('A'.repeat(64))).toBe(Array(32).fill('AA').join(':'))
  })

  it('refuse anything else', () => {
    expect(() => normalizeThumbprint('AB:CD')).toThrow(/40 \(SHA-1\) or 64 \(SHA-256\)/)
    expect(() => normalizeThumbprint('Z'.repeat(40))).toThrow()
  })
})

describe('datastore paths', () => {
  it('split "[ds] folder/file" and refuse what is not one', () => {
    expect(parseDatastorePath('[LocalDS_0] abc/abc.vmx')).toEqual({ datastore: 'LocalDS_0', path: 'abc/abc.vmx' })
    expect(parseDatastorePath('[vsan Datastore]')).toEqual({ datastore: 'vsan Datastore', path: '' })
    expect(() => parseDatastorePath('abc/abc.vmx')).toThrow(/not a datastore path/)
  })
})
