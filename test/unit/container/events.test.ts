import { describe, expect, it } from 'vitest'
import type { Container } from '../../../src/container/container.js'
import { eventsOf } from '../../../src/container/events.js'

const c = (name: string, state: Container['state']): Container => ({ id: 'a'.repeat(64), name, state }) as Container

describe('events derived from what the store hears', () => {
  it('tells a new container as create, and as create then start when it is already running', () => {
    expect(eventsOf({ kind: 'put', container: c('web', 'created') }).map((e) => e.type)).toEqual(['create'])
    expect(eventsOf({ kind: 'put', container: c('web', 'running') }).map((e) => e.type)).toEqual(['create', 'start'])
  })

  it('tells a name change as rename with the old name, and power changes as start and stop', () => {
    expect(eventsOf({ kind: 'put', container: c('db', 'created'), previous: c('web', 'created') })).toEqual([
      { type: 'rename', id: 'a'.repeat(64), name: 'db', oldName: 'web' },
    ])
    expect(eventsOf({ kind: 'put', container: c('web', 'running'), previous: c('web', 'created') }).map((e) => e.type)).toEqual(['start'])
    expect(eventsOf({ kind: 'put', container: c('web', 'stopped'), previous: c('web', 'running') }).map((e) => e.type)).toEqual(['stop'])
  })

  it('tells nothing for a report that changes neither name nor state', () => {
    expect(eventsOf({ kind: 'put', container: c('web', 'running'), previous: c('web', 'running') })).toEqual([])
  })

  it('tells a running container removed as stop, then remove', () => {
    expect(eventsOf({ kind: 'delete', container: c('web', 'running') }).map((e) => e.type)).toEqual(['stop', 'remove'])
    expect(eventsOf({ kind: 'delete', container: c('web', 'stopped') }).map((e) => e.type)).toEqual(['remove'])
  })
})
