// The control endpoints: exact SOAP round-trip counts per method (benchmarks and SOAP-budget tests rely on
// them) and fault injection (a task method fails its task, any other method fails the call).
import { beforeEach, describe, expect, it } from 'vitest'
import type { DatacenterInventory } from '../../../src/sim/launcher.js'
import { useSim } from '../../helpers/govcsim.js'
import {
  createTestVM,
  envelope,
  expectOk,
  faultString,
  faultType,
  propertyCollector,
  RawSoap,
  serviceInstance,
  useRawSoap,
  type MoRef,
} from '../../helpers/raw-soap.js'

async function newVM(soap: RawSoap, dc: DatacenterInventory, name: string): Promise<MoRef> {
  const created = await createTestVM(soap, dc, name)
  expect(created.state).toBe('success')
  return created.result!
}

describe('round-trip counts', () => {
  const sim = useSim()

  it('counts every SOAP request by method, exactly, until reset', async () => {
    await sim().resetStats()
    expect(await sim().stats()).toEqual({})

    const soap = await RawSoap.connect(sim().url, sim().username, sim().password)
    for (let i = 0; i < 3; i++) expectOk(await soap.call('RetrieveServiceContent', serviceInstance))
    expectOk(await soap.call('CurrentTime', serviceInstance))
    const dc = sim().inventory.datacenters[0]!
    await createTestVM(soap, dc, 'counted') // CreateVM_Task + one RetrievePropertiesEx of the task
    soap.close()

    expect(await sim().stats()).toEqual({
      Login: 1,
      RetrieveServiceContent: 3,
      CurrentTime: 1,
      CreateVM_Task: 1,
      RetrievePropertiesEx: 1,
    })

    await sim().resetStats()
    expect(await sim().stats()).toEqual({})
  })

  it('counts requests that are refused, and pages of a paged retrieval, as round trips', async () => {
    await sim().resetStats()
    const soap = await RawSoap.connect(sim().url, sim().username, sim().password)
    const refused = await soap.post(envelope('<CurrentTime xmlns="urn:vim25"><extra/><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>'))
    expect(faultType(refused.text)).toBe('InvalidRequest')
    const folder: MoRef = { type: 'Folder', value: sim().inventory.datacenters[0]!.vmFolder }
    const dc = sim().inventory.datacenters[0]!
    await createTestVM(soap, dc, 'page-a')
    await createTestVM(soap, dc, 'page-b')
    await sim().resetStats()
    expectOk(await soap.post(envelope('<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>')))
    const first = await soap.listVMs(folder, ['name'], 1)
    const token = /<token>([^<]+)<\/token>/.exec(first.text)?.[1] ?? ''
    expectOk(await soap.call('ContinueRetrievePropertiesEx', propertyCollector, `<token>${token}</token>`))
    soap.close()
    expect(await sim().stats()).toEqual({ CurrentTime: 1, RetrievePropertiesEx: 1, ContinueRetrievePropertiesEx: 1 })
  })
})

describe('fault injection', () => {
  const sim = useSim()
  const soap = useRawSoap(sim)
  const dc = () => sim().inventory.datacenters[0]!

  beforeEach(async () => {
    await sim().clearFaults()
  })

  it('fails the task of the named VM’s next reconfigure, once, as vCenter reports a failed task', async () => {
    const first = await newVM(soap(), dc(), 'linked-1')
    const second = await newVM(soap(), dc(), 'linked-2')
    const rule = await sim().injectFault({ method: 'ReconfigVM_Task', vm: 'linked-2', fault: 'HostCommunication' })
    expect(rule).toMatchObject({ method: 'ReconfigVM_Task', vm: 'linked-2', fault: 'HostCommunication', count: 1, hits: 0 })

    expect((await soap().task(soap().reconfigure(first, { extraConfig: [['k', '1']] }))).state).toBe('success')
    const failed = await soap().task(soap().reconfigure(second, { extraConfig: [['k', '1']] }))
    expect([failed.state, failed.fault]).toEqual(['error', 'HostCommunication'])
    expect((await soap().extraConfig(second)).filter(([k]) => k === 'k')).toEqual([])

    expect((await soap().task(soap().reconfigure(second, { extraConfig: [['k', '2']] }))).state).toBe('success')
    expect(await sim().faults()).toEqual([expect.objectContaining({ id: rule.id, count: 0, hits: 1 })])
  })

  it('matches a VM by moref and keeps failing with count -1 until the rules are cleared', async () => {
    const vm = await newVM(soap(), dc(), 'always-fails')
    await sim().injectFault({ method: 'PowerOnVM_Task', vm: vm.value, fault: 'InsufficientResourcesFault', count: -1 })
    for (let i = 0; i < 2; i++) expect((await soap().task(soap().powerOn(vm))).fault).toBe('InsufficientResourcesFault')
    await sim().clearFaults()
    expect((await soap().task(soap().powerOn(vm))).state).toBe('success')
  })

  it('fails a create for the VM name it is given, with the fault fields it is given', async () => {
    await sim().injectFault({ method: 'CreateVM_Task', vm: 'doomed', fault: 'DuplicateName', props: { name: 'doomed' } })
    const doomed = await createTestVM(soap(), dc(), 'doomed')
    expect([doomed.state, doomed.fault]).toEqual(['error', 'DuplicateName'])
    expect(doomed.xml).toContain('<name>doomed</name>')
    expect(await soap().vmNames({ type: 'Folder', value: dc().vmFolder })).not.toContain('doomed')
    expect((await createTestVM(soap(), dc(), 'spared')).state).toBe('success')
  })

  it('fails a non-task call itself with a SOAP fault', async () => {
    await sim().injectFault({ method: 'CurrentTime', fault: 'HostCommunication', message: 'host went away' })
    const reply = await soap().call('CurrentTime', serviceInstance)
    expect([reply.status, faultType(reply.text), faultString(reply.text)]).toEqual([500, 'HostCommunication', 'host went away'])
    expectOk(await soap().call('CurrentTime', serviceInstance))
  })

  it('refuses a rule it cannot carry out', async () => {
    await expect(sim().injectFault({ method: 'ReconfigVM_Task', fault: 'NoSuchFault' })).rejects.toThrow(/HTTP 400.*unknown fault type/)
    await expect(sim().injectFault({ method: '', fault: 'HostCommunication' })).rejects.toThrow(/HTTP 400.*method is required/)
  })
})
