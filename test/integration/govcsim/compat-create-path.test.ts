// Compat: CreateVM_Task with a datastore path vcsim cannot map fails the task with InvalidDatastorePath and
// leaves the folder as it was; an unknown resource pool is refused at the call with ManagedObjectNotFound.
// Pure vcsim panics on both: the connection drops and a nameless VM stays in the folder.
import { describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { faultType, useRawSoap, type MoRef } from '../../helpers/raw-soap.js'

const badPaths = ['LocalDS_0/no-brackets/x.vmx', '[NoSuchDatastore] x/x.vmx']

describe('CreateVM_Task datastore paths with compat', () => {
  const sim = useSim()
  const soap = useRawSoap(sim)
  const dc = () => sim().inventory.datacenters[0]!
  const folder = (): MoRef => ({ type: 'Folder', value: dc().vmFolder })
  const pool = (): MoRef => ({ type: 'ResourcePool', value: dc().resourcePools[0]!.moref })

  it.each(badPaths)('fails the task with InvalidDatastorePath for %s and leaves no VM behind', async (vmPathName) => {
    const before = await soap().property(folder(), 'childEntity')
    const outcome = await soap().task(soap().createVM(folder(), pool(), { name: 'bad-path', guestId: 'otherGuest', vmPathName }))
    expect([outcome.state, outcome.fault]).toEqual(['error', 'InvalidDatastorePath'])
    expect(await soap().property(folder(), 'childEntity')).toBe(before)
  })

  it('refuses an unknown resource pool at the call with ManagedObjectNotFound', async () => {
    const reply = await soap().createVM(folder(), { type: 'ResourcePool', value: 'resgroup-404' }, {
      name: 'no-pool',
      guestId: 'otherGuest',
      vmPathName: '[LocalDS_0] no-pool/no-pool.vmx',
    })
    expect([reply.status, faultType(reply.text)]).toEqual([500, 'ManagedObjectNotFound'])
  })

  it('turns any other vcsim panic during create into a failed task, without a leftover VM', async () => {
    // vcsim makes the folder from the name and cannot when it holds a "/" (vCenter would escape it as %2f).
    const before = await soap().property(folder(), 'childEntity')
    const outcome = await soap().task(soap().createVM(folder(), pool(), { name: 'a/b', guestId: 'otherGuest', vmPathName: '[LocalDS_0]' }))
    expect([outcome.state, outcome.fault]).toEqual(['error', 'SystemError'])
    expect(await soap().property(folder(), 'childEntity')).toBe(before)
  })

  it('still creates a VM whose path is good', async () => {
    const outcome = await soap().task(soap().createVM(folder(), pool(), { name: 'good-path', guestId: 'otherGuest', vmPathName: '[LocalDS_0] good/good.vmx' }))
    expect(outcome.state).toBe('success')
  })
})

describe('CreateVM_Task datastore paths without compat (pure vcsim 0.24.2)', () => {
  const sim = useSim({ compat: false })
  const soap = useRawSoap(sim)
  const dc = () => sim().inventory.datacenters[0]!

  it('drops the connection on an unknown datastore and leaves a VM in the folder', async () => {
    const folder: MoRef = { type: 'Folder', value: dc().vmFolder }
    const pool: MoRef = { type: 'ResourcePool', value: dc().resourcePools[0]!.moref }
    const before = (await soap().property(folder, 'childEntity')) ?? ''

    await expect(soap().createVM(folder, pool, { name: 'zombie', guestId: 'otherGuest', vmPathName: '[NoSuchDatastore] z/z.vmx' })).rejects.toThrow()

    const after = (await soap().property(folder, 'childEntity')) ?? ''
    expect(after.match(/type="VirtualMachine"/g)?.length ?? 0).toBe((before.match(/type="VirtualMachine"/g)?.length ?? 0) + 1)
  })
})
