// A create whose answer is lost after vSphere ran it: portlayer never sends CreateVM_Task twice, so it looks the
// VM up instead and answers definitely, with the container it made or 503 vsphere_unavailable; and a create of
// the same ID sent again by the client never makes a second VM.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { containerKeys } from '../../../src/extraconfig/index.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { simContainers } from '../rename/support.js'
import { expectConsistent, expectDefinite, useProxiedPortlayer } from './support.js'

const p = useProxiedPortlayer()
const api = containersApi(() => p().pl)
const newId = (): string => randomBytes(32).toString('hex')

async function vmsOf(id: string): Promise<number> {
  return (await simContainers(p().soap, p().pl)).filter((c) => c.extraConfig.get(containerKeys.id) === id).length
}

describe('a create whose answer is lost', () => {
  it('answers with the container when CreateVM_Task ran but its answer was reset', async () => {
    const id = newId()
    p().proxy.breakMethod('CreateVM_Task', 'reset')
    const res = await api.create({ id, name: 'lost-answer' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ id, name: 'lost-answer' })
    expect(p().proxy.counts.reset).toBe(1)
    expect(await vmsOf(id)).toBe(1)
    expect((await api.inspect('lost-answer')).body.id).toBe(id)
  })

  it('answers with the container when every read of the task was reset', async () => {
    const id = newId()
    // CreateVM_Task goes through; its task read (sent again three times) never comes back
    p().proxy.breakMethod('RetrievePropertiesEx', 'reset', 4)
    const res = await api.create({ id, name: 'lost-task-read' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.id).toBe(id)
    expect(await vmsOf(id)).toBe(1)
  })

  it('answers 503 vsphere_unavailable when vSphere cannot be asked, and a second create of the ID makes no VM', async () => {
    const id = newId()
    p().proxy.breakMethod('CreateVM_Task', 'reset')
    // the lookup finds no one to ask
    p().proxy.breakMethod('RetrievePropertiesEx', 'drop', 8)
    const res = await api.create({ id, name: 'unknown-outcome' })
    expectDefinite(res, 'create')
    p().proxy.clear()
    if (res.status === 201) expect(res.body.id).toBe(id)
    else expect(res.body.code).toBe('vsphere_unavailable')
    expect(await vmsOf(id)).toBe(1)

    const again = await api.create({ id, name: 'unknown-outcome' })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('conflict')
    expect(await vmsOf(id)).toBe(1)
  })

  it('leaves no VM the API does not list', async () => {
    await eventually(async () => {
      const listed = await api.list(true)
      expect(listed.status).toBe(200)
      await expectConsistent(p(), listed.body)
    })
  })
})
