// Compat: VM names are unique per folder as on vCenter. CreateVM_Task, Rename_Task and ReconfigVM_Task with
// spec.name fail with DuplicateName; a rename to the same name is a no-op; config.name and summary.config.name
// follow the name. Pure vcsim creates duplicates, answers renames with InvalidArgument and leaves
// config.name behind.
import { describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { createTestVM, el, expectOk, returnedRef, useRawSoap, type MoRef, type RawSoap } from '../../helpers/raw-soap.js'
import type { DatacenterInventory } from '../../../src/sim/launcher.js'

async function newVM(soap: RawSoap, dc: DatacenterInventory, name: string): Promise<MoRef> {
  const created = await createTestVM(soap, dc, name)
  expect(created.state).toBe('success')
  return created.result!
}

async function names(soap: RawSoap, vm: MoRef): Promise<string[]> {
  return [
    (await soap.property(vm, 'name'))!,
    (await soap.property(vm, 'config.name'))!,
    (await soap.property(vm, 'summary.config.name'))!,
  ]
}

describe('VM names with compat (vCenter behaviour)', () => {
  const sim = useSim()
  const soap = useRawSoap(sim)
  const dc = () => sim().inventory.datacenters[0]!

  it('refuses to create a second VM with a name taken in the same folder, and leaves no VM behind', async () => {
    const first = await newVM(soap(), dc(), 'dup-create')
    const second = await createTestVM(soap(), dc(), 'dup-create', { vmPathName: '[LocalDS_0] other/other.vmx' })
    expect([second.state, second.fault]).toEqual(['error', 'DuplicateName'])
    expect(second.xml).toContain(`<object type="VirtualMachine">${first.value}</object>`)
    const inFolder = await soap().vmNames({ type: 'Folder', value: dc().vmFolder })
    expect(inFolder.filter((n) => n === 'dup-create')).toHaveLength(1)
  })

  it('allows the same name in another folder', async () => {
    await newVM(soap(), dc(), 'same-elsewhere')
    const reply = await soap().call('CreateFolder', { type: 'Folder', value: dc().vmFolder }, el('name', 'sub'))
    expectOk(reply)
    const sub = returnedRef(reply.text)!
    const created = await soap().task(
      soap().createVM(sub, { type: 'ResourcePool', value: dc().resourcePools[0]!.moref }, {
        name: 'same-elsewhere',
        guestId: 'otherGuest',
        vmPathName: '[LocalDS_0] same2/same2.vmx',
      }),
    )
    expect(created.state).toBe('success')
  })

  it('renames a VM and its config.name and summary.config.name with it', async () => {
    const vm = await newVM(soap(), dc(), 'rename-me')
    expect((await soap().task(soap().rename(vm, 'renamed'))).state).toBe('success')
    expect(await names(soap(), vm)).toEqual(['renamed', 'renamed', 'renamed'])
  })

  it('refuses a rename to a name taken in the folder with DuplicateName', async () => {
    const taken = await newVM(soap(), dc(), 'taken-name')
    const vm = await newVM(soap(), dc(), 'wants-taken')
    const outcome = await soap().task(soap().rename(vm, 'taken-name'))
    expect([outcome.state, outcome.fault]).toEqual(['error', 'DuplicateName'])
    expect(outcome.xml).toContain(`<object type="VirtualMachine">${taken.value}</object>`)
    expect(await names(soap(), vm)).toEqual(['wants-taken', 'wants-taken', 'wants-taken'])
  })

  it('treats a rename to the current name as a successful no-op', async () => {
    const vm = await newVM(soap(), dc(), 'stays')
    const version = await soap().property(vm, 'config.changeVersion')
    expect((await soap().task(soap().rename(vm, 'stays'))).state).toBe('success')
    expect(await soap().property(vm, 'config.changeVersion')).toBe(version)
  })

  it('applies the rename rules to ReconfigVM_Task spec.name', async () => {
    await newVM(soap(), dc(), 'reconf-taken')
    const vm = await newVM(soap(), dc(), 'reconf-me')
    const refused = await soap().task(soap().reconfigure(vm, { name: 'reconf-taken' }))
    expect([refused.state, refused.fault]).toEqual(['error', 'DuplicateName'])

    expect((await soap().task(soap().reconfigure(vm, { name: 'reconf-new' }))).state).toBe('success')
    expect(await names(soap(), vm)).toEqual(['reconf-new', 'reconf-new', 'reconf-new'])
  })

  it('lets only one of two concurrent renames take a name', async () => {
    const a = await newVM(soap(), dc(), 'race-a')
    const b = await newVM(soap(), dc(), 'race-b')
    const outcomes = await Promise.all([soap().task(soap().rename(a, 'race-winner')), soap().task(soap().rename(b, 'race-winner'))])
    expect(outcomes.map((o) => o.state).sort()).toEqual(['error', 'success'])
  })
})

describe('VM names without compat (pure vcsim 0.24.2)', () => {
  const sim = useSim({ compat: false })
  const soap = useRawSoap(sim)
  const dc = () => sim().inventory.datacenters[0]!

  it('creates a second VM with the same name in the same folder', async () => {
    await newVM(soap(), dc(), 'raw-dup')
    const second = await createTestVM(soap(), dc(), 'raw-dup', { vmPathName: '[LocalDS_0] raw2/raw2.vmx' })
    expect(second.state).toBe('success')
    const inFolder = await soap().vmNames({ type: 'Folder', value: dc().vmFolder })
    expect(inFolder.filter((n) => n === 'raw-dup')).toHaveLength(2)
  })

  it('answers a rename to a taken name, or to the same name, with InvalidArgument', async () => {
    await newVM(soap(), dc(), 'raw-taken')
    const vm = await newVM(soap(), dc(), 'raw-renamer')
    expect((await soap().task(soap().rename(vm, 'raw-taken'))).fault).toBe('InvalidArgument')
    expect((await soap().task(soap().rename(vm, 'raw-renamer'))).fault).toBe('InvalidArgument')
  })

  it('leaves config.name and summary.config.name at the old name after a rename', async () => {
    const vm = await newVM(soap(), dc(), 'raw-old')
    expect((await soap().task(soap().rename(vm, 'raw-new'))).state).toBe('success')
    expect(await names(soap(), vm)).toEqual(['raw-new', 'raw-old', 'raw-old'])
  })
})
