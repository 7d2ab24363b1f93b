// Compat: ExtraConfig and changeVersion behave as on vCenter (update in place, remove on empty, a new
// changeVersion after every change, ConcurrentAccess on a stale one), where pure vcsim 0.24.2 appends
// duplicate keys and never sets a changeVersion.
import { describe, expect, it } from 'vitest'
import type { DatacenterInventory } from '../../../src/sim/launcher.js'
import { useSim } from '../../helpers/govcsim.js'
import { createTestVM, useRawSoap, type MoRef, type RawSoap } from '../../helpers/raw-soap.js'

async function newVM(soap: RawSoap, dc: DatacenterInventory, name: string): Promise<MoRef> {
  const created = await createTestVM(soap, dc, name)
  expect(created.state).toBe('success')
  return created.result!
}

const ours = (pairs: Array<[string, string]>) => pairs.filter(([key]) => key.startsWith('k'))

describe('ExtraConfig with compat (vCenter behaviour)', () => {
  const sim = useSim()
  const soap = useRawSoap(sim)
  const dc = () => sim().inventory.datacenters[0]!

  it('updates a key in place and removes it when the value is empty', async () => {
    const vm = await newVM(soap(), dc(), 'ec-update')
    expect((await soap().task(soap().reconfigure(vm, { extraConfig: [['k1', 'v1'], ['k2', 'a']] }))).state).toBe('success')
    expect((await soap().task(soap().reconfigure(vm, { extraConfig: [['k1', 'v2']] }))).state).toBe('success')
    expect(ours(await soap().extraConfig(vm))).toEqual([
      ['k1', 'v2'],
      ['k2', 'a'],
    ])

    expect((await soap().task(soap().reconfigure(vm, { extraConfig: [['k1', '']] }))).state).toBe('success')
    expect(ours(await soap().extraConfig(vm))).toEqual([['k2', 'a']])
  })

  it('keeps one entry when a single spec sets a key twice', async () => {
    const vm = await newVM(soap(), dc(), 'ec-twice')
    await soap().task(soap().reconfigure(vm, { extraConfig: [['k1', 'first'], ['k1', 'second']] }))
    expect(ours(await soap().extraConfig(vm))).toEqual([['k1', 'second']])
  })

  it('sets changeVersion at create and changes it after reconfigure, rename, power on, power off and guest shutdown', async () => {
    const vm = await newVM(soap(), dc(), 'cv-steps')
    const seen = [await soap().property(vm, 'config.changeVersion')]
    const steps = [
      () => soap().reconfigure(vm, { extraConfig: [['k1', 'x']] }),
      () => soap().rename(vm, 'cv-steps-renamed'),
      () => soap().powerOn(vm),
      () => soap().call('PowerOffVM_Task', vm),
      () => soap().powerOn(vm),
    ]
    for (const step of steps) {
      expect((await soap().task(step())).state).toBe('success')
      seen.push(await soap().property(vm, 'config.changeVersion'))
    }
    // no task: vCenter's guest shutdown answers at once, and the power-off it leads to is a config change too
    expect((await soap().call('ShutdownGuest', vm)).status).toBe(200)
    expect(await soap().property(vm, 'runtime.powerState')).toBe('poweredOff')
    seen.push(await soap().property(vm, 'config.changeVersion'))
    expect(seen[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('fails a reconfigure carrying a stale changeVersion with ConcurrentAccess and applies nothing', async () => {
    const vm = await newVM(soap(), dc(), 'cv-stale')
    const before = (await soap().property(vm, 'config.changeVersion'))!
    const first = await soap().task(soap().reconfigure(vm, { changeVersion: before, extraConfig: [['k1', 'mine']] }))
    expect(first.state).toBe('success')

    const stale = await soap().task(soap().reconfigure(vm, { changeVersion: before, extraConfig: [['k1', 'theirs']] }))
    expect([stale.state, stale.fault]).toEqual(['error', 'ConcurrentAccess'])
    expect(ours(await soap().extraConfig(vm))).toEqual([['k1', 'mine']])

    const current = (await soap().property(vm, 'config.changeVersion'))!
    expect(current).not.toBe(before)
    const retried = await soap().task(soap().reconfigure(vm, { changeVersion: current, extraConfig: [['k1', 'theirs']] }))
    expect(retried.state).toBe('success')
    expect(ours(await soap().extraConfig(vm))).toEqual([['k1', 'theirs']])
  })
})

describe('ExtraConfig without compat (pure vcsim 0.24.2)', () => {
  const sim = useSim({ compat: false })
  const soap = useRawSoap(sim)
  const dc = () => sim().inventory.datacenters[0]!

  it('appends every value, so a key is listed twice and an empty value does not remove it', async () => {
    const vm = await newVM(soap(), dc(), 'raw-ec')
    await soap().task(soap().reconfigure(vm, { extraConfig: [['k1', 'v1']] }))
    await soap().task(soap().reconfigure(vm, { extraConfig: [['k1', 'v2']] }))
    await soap().task(soap().reconfigure(vm, { extraConfig: [['k1', '']] }))
    expect(ours(await soap().extraConfig(vm))).toEqual([
      ['k1', 'v1'],
      ['k1', 'v2'],
      ['k1', ''],
    ])
  })

  it('never sets a changeVersion, so a stale one cannot be detected', async () => {
    const vm = await newVM(soap(), dc(), 'raw-cv')
    // An empty changeVersion is left out of the property set altogether.
    expect((await soap().property(vm, 'config.changeVersion')) ?? '').toBe('')
    const blind = await soap().task(soap().reconfigure(vm, { changeVersion: '2001-01-01T00:00:00.000000Z', extraConfig: [['k1', 'x']] }))
    expect(blind.state).toBe('success')
  })
})
