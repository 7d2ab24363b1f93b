import { describe, expect, it } from 'vitest'

import { changeSet, runningSubset } from '../../../src/extraconfig/index.js'

const current = {
  'common/name': 'web',
  'common/notes': '<nil>',
  'guestinfo.vice./repo': 'busybox',
  'guestinfo.vice./np@non-persistent': 'x',
  'disk.EnableUUID': 'true',
}

describe('changeSet', () => {
  it('sends only keys that are new or changed, sorted by key', () => {
    const wanted = { ...current, 'guestinfo.vice./repo': 'alpine', 'common/name': 'web2', 'hostconfig/links': '0' }
    expect(changeSet(current, wanted, { running: false })).toEqual([
      { key: 'common/name', value: 'web2' },
      { key: 'guestinfo.vice./repo', value: 'alpine' },
      { key: 'hostconfig/links', value: '0' },
    ])
  })

  it('deletes keys the wanted map no longer has, with an empty value', () => {
    const { 'common/notes': _gone, ...wanted } = current
    expect(changeSet(current, wanted, { running: false })).toEqual([{ key: 'common/notes', value: '' }])
  })

  it('treats an empty wanted value as <nil>, so it neither deletes the key nor differs from <nil>', () => {
    expect(changeSet(current, { ...current, 'common/notes': '' }, { running: false })).toEqual([])
    expect(changeSet(current, { ...current, 'common/name': '' }, { running: false })).toEqual([
      { key: 'common/name', value: '<nil>' },
    ])
  })

  it('sends a running VM hidden and non-persistent keys only, deletions included', () => {
    const wanted: Record<string, string> = {
      'common/name': 'web2',
      'guestinfo.vice./repo': 'alpine',
      'guestinfo.vice./np@non-persistent': 'y',
      'disk.EnableUUID': 'true',
    }
    expect(changeSet(current, wanted, { running: true })).toEqual([
      { key: 'common/name', value: 'web2' },
      { key: 'common/notes', value: '' },
      { key: 'guestinfo.vice./np@non-persistent', value: 'y' },
    ])
  })

  it('accepts Maps as well as plain objects', () => {
    expect(changeSet(new Map(Object.entries(current)), current, { running: false })).toEqual([])
  })
})

describe('runningSubset', () => {
  it('keeps what a running VM may be sent', () => {
    expect(runningSubset(current)).toEqual({
      'common/name': 'web',
      'common/notes': '<nil>',
      'guestinfo.vice./np@non-persistent': 'x',
      'disk.EnableUUID': 'true',
    })
  })
})
