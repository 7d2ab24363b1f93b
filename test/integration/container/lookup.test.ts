// Finding containers: inspect by full ID, unique ID prefix or name (docker's order), the errors for an ambiguous
// prefix, an unknown reference and a name already taken, and listing with and without `all`. What the API
// answers is held against the VMs the simulator has.
import { beforeAll, describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { createTestVM, useRawSoap } from '../../helpers/raw-soap.js'
import { folderEntries, readVm, simVm, simVms } from '../../helpers/sim-reads.js'

describe('finding containers', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)
  // two IDs sharing the prefix 'abcd1', a third with its own
  const idA = 'abcd1' + '0'.repeat(59)
  const idB = 'abcd1' + 'f'.repeat(59)
  const idC = 'ef01' + '2'.repeat(60)
  let a: ContainerView
  let b: ContainerView
  let c: ContainerView

  beforeAll(async () => {
    a = await api.created({ name: 'alpha', id: idA })
    b = await api.created({ name: 'bravo', id: idB })
    c = await api.created({ name: 'charlie', id: idC })
    expect((await api.start('charlie')).status).toBe(204)
  })

  it('inspects by full ID, by a unique ID prefix and by name, all the same container', async () => {
    for (const ref of [idA, 'abcd10', 'abcd100000', 'alpha']) {
      const res = await api.inspect(ref)
      expect(res.status, ref).toBe(200)
      expect(res.body.id, ref).toBe(idA)
    }
    for (const ref of [idC, 'ef', 'e', 'charlie']) expect((await api.inspect(ref)).body.id, ref).toBe(idC)
    const res = await api.inspect('bravo')
    expect(res.body).toMatchObject({ id: idB, name: 'bravo', displayName: `bravo-${idB.slice(0, 12)}`, state: 'created' })
    // the answer is the simulator's VM
    const vm = await readVm(soap(), { type: 'VirtualMachine', value: res.body.vm.moref })
    expect(vm.name).toBe(res.body.displayName)
    expect(vm.extraConfig.get('guestinfo.vice./common/id')).toBe(idB)
  })

  it('answers 409 ambiguous_ref for a prefix of two IDs', async () => {
    for (const ref of ['abcd1', 'abc', 'a']) {
      const res = await api.inspect(ref)
      expect(res.status, ref).toBe(409)
      expect(res.body.code).toBe('ambiguous_ref')
    }
  })

  it('answers 404 not_found for a reference nothing matches', async () => {
    for (const ref of ['nobody', 'abcd2', '9' + '0'.repeat(63), 'alph']) {
      const res = await api.inspect(ref)
      expect(res.status, ref).toBe(404)
      expect(res.body.code).toBe('not_found')
    }
  })

  it('answers 409 name_conflict for a name in use, and creates no VM', async () => {
    const before = await simVms(pl().sim)
    const res = await api.create({ name: 'alpha' })
    expect(res.status).toBe(409)
    expect(res.body.code).toBe('name_conflict')
    expect(res.body.message).toContain(idA)
    expect(await simVms(pl().sim)).toEqual(before)
  })

  it('refuses a second container with an ID already in use, and creates no VM', async () => {
    const before = await simVms(pl().sim)
    const res = await api.create({ name: 'another', id: idA })
    expect(res.status).toBe(409)
    expect(res.body.code).toBe('conflict')
    expect(await simVms(pl().sim)).toEqual(before)
  })

  it('gives a name to only one of two creates racing for it', async () => {
    const replies = await Promise.all([api.create({ name: 'race' }), api.create({ name: 'race' })])
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409])
    const vms = (await simVms(pl().sim)).filter((vm) => vm.name.startsWith('race-'))
    expect(vms).toHaveLength(1)
    await api.remove('race')
  })

  it('gives an ID to only one of two creates racing for it', async () => {
    const id = 'ace' + '5'.repeat(61)
    const replies = await Promise.all([api.create({ name: 'twin-one', id }), api.create({ name: 'twin-two', id })])
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409])
    expect(replies.find((r) => r.status === 409)?.body.code).toBe('conflict')
    const vms = (await simVms(pl().sim)).filter((vm) => vm.name.endsWith(`-${id.slice(0, 12)}`))
    expect(vms).toHaveLength(1)
    await api.remove(id)
  })

  it('refuses an ID whose folder another process already made on the datastore, and leaves that folder alone', async () => {
    const id = 'f01de7' + '0'.repeat(58)
    const dc = pl().sim.inventory.datacenters[0]!
    const foreign = await createTestVM(soap(), dc, 'made-elsewhere', { vmPathName: `[LocalDS_0] ${id}/${id}.vmx` })
    expect(foreign.state).toBe('success')
    const res = await api.create({ name: 'same-id', id })
    expect(res.status).toBe(409)
    expect(res.body.code).toBe('conflict')
    expect(folderEntries(pl().sim, 'LocalDS_0', id)).toContain(`${id}.vmx`)
    expect((await simVms(pl().sim)).filter((vm) => vm.name.startsWith('same-id'))).toEqual([])
  })

  it('lists the running containers, or all of them with all=true', async () => {
    const running = await api.list()
    expect(running.status).toBe(200)
    expect(running.body.map((x) => x.id)).toEqual([idC])
    expect((await api.list(false)).body.map((x) => x.id)).toEqual([idC])

    const all = await api.list(true)
    expect(all.body.map((x) => x.id).sort()).toEqual([idA, idB, idC].sort())
    // every container listed is a VM of the simulator with that display name
    const vms = await simVms(pl().sim)
    for (const x of all.body) expect(vms).toContainEqual({ name: x.displayName, moref: x.vm.moref })
    expect(all.body.find((x) => x.id === idC)?.state).toBe('running')
    const charlie = await simVm(pl().sim, c.displayName)
    expect((await readVm(soap(), charlie!)).powerState).toBe('poweredOn')
    expect([a.state, b.state]).toEqual(['created', 'created'])
  })
})
