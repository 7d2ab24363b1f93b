// Strict mode refuses, as vCenter does, what vcsim accepts: data-object elements out of WSDL order, elements a
// type does not have, a repeated single-valued element, an unknown xsi:type, and an xsd:anyType value
// (OptionValue.value) without xsi:type. The fault is vCenter's: HTTP 500, InvalidRequest, a faultstring
// naming the element and the type. Without -strict the same requests go through.
import { describe, expect, it } from 'vitest'
import type { DatacenterInventory } from '../../../src/sim/launcher.js'
import { useSim } from '../../helpers/govcsim.js'
import {
  createTestVM,
  el,
  envelope,
  faultString,
  faultType,
  moref,
  optionValue,
  propertyCollector,
  useRawSoap,
  type MoRef,
  type RawSoap,
  type SoapReply,
} from '../../helpers/raw-soap.js'

/** Raw request bodies vCenter refuses, each with the faultstring's first line. */
function refusedRequests(vm: MoRef): Array<{ what: string; body: string; message: RegExp }> {
  const reconfigure = (spec: string) => `<ReconfigVM_Task xmlns="urn:vim25">${moref('_this', vm)}<spec>${spec}</spec></ReconfigVM_Task>`
  const traversal = (inner: string) =>
    `<RetrievePropertiesEx xmlns="urn:vim25">${moref('_this', propertyCollector)}<specSet><propSet>${el('type', 'VirtualMachine')}${el('pathSet', 'name')}</propSet>` +
    `<objectSet>${moref('obj', { type: 'Folder', value: 'group-d1' })}<selectSet xsi:type="TraversalSpec">${inner}</selectSet></objectSet></specSet><options/></RetrievePropertiesEx>`
  return [
    {
      what: 'a config spec with extraConfig before name',
      body: reconfigure(`<extraConfig>${optionValue('k', 'v')}</extraConfig>${el('name', 'late-name')}`),
      message: /^Unexpected element tag "name" seen while parsing serialized DataObject of type VirtualMachineConfigSpec\nwhile parsing call information for method ReconfigVM_Task\nat line \d+, column \d+/,
    },
    {
      what: 'an OptionValue with value before key',
      body: reconfigure(`<extraConfig><value xsi:type="xsd:string">v</value>${el('key', 'k')}</extraConfig>`),
      message: /^Unexpected element tag "key" seen while parsing serialized DataObject of type OptionValue/,
    },
    {
      what: 'an OptionValue.value without xsi:type',
      body: reconfigure(`<extraConfig>${optionValue('k', null)}</extraConfig>`),
      message: /^Element "value" of type xsd:anyType has no xsi:type, seen while parsing serialized DataObject of type OptionValue/,
    },
    {
      what: 'method arguments before _this',
      body: `<ReconfigVM_Task xmlns="urn:vim25"><spec>${el('name', 'x')}</spec>${moref('_this', vm)}</ReconfigVM_Task>`,
      message: /^Unexpected element tag "_this" seen while parsing call information for method ReconfigVM_Task/,
    },
    {
      what: 'an element the type does not have',
      body: reconfigure(el('nickname', 'x')),
      message: /^Unexpected element tag "nickname" seen while parsing serialized DataObject of type VirtualMachineConfigSpec/,
    },
    {
      what: 'a single-valued element twice',
      body: reconfigure(el('name', 'a') + el('name', 'b')),
      message: /^Unexpected element tag "name" seen while parsing serialized DataObject of type VirtualMachineConfigSpec/,
    },
    {
      what: 'a TraversalSpec with path before type (order checked through xsi:type)',
      body: traversal(el('path', 'childEntity') + el('type', 'Folder')),
      message: /^Unexpected element tag "type" seen while parsing serialized DataObject of type TraversalSpec/,
    },
    {
      what: 'an xsi:type nobody knows',
      body: reconfigure(`<extraConfig xsi:type="NoSuchOption">${optionValue('k', 'v')}</extraConfig>`),
      message: /^Unable to resolve WSDL type name "NoSuchOption"/,
    },
  ]
}

async function probeVM(soap: RawSoap, dc: DatacenterInventory, name: string): Promise<MoRef> {
  const created = await createTestVM(soap, dc, name)
  expect(created.state).toBe('success')
  return created.result!
}

describe('strict mode', () => {
  const sim = useSim({ strict: true })
  const soap = useRawSoap(sim)

  it('refuses each request vCenter refuses with InvalidRequest, before running it', async () => {
    const vm = await probeVM(soap(), sim().inventory.datacenters[0]!, 'strict-target')
    for (const { what, body, message } of refusedRequests(vm)) {
      const reply: SoapReply = await soap().post(envelope(body))
      expect({ what, status: reply.status, fault: faultType(reply.text) }).toEqual({ what, status: 500, fault: 'InvalidRequest' })
      expect(faultString(reply.text), what).toMatch(message)
    }
    expect(await soap().property(vm, 'name')).toBe('strict-target')
    expect((await soap().extraConfig(vm)).filter(([k]) => k === 'k')).toEqual([])
  })

  it('accepts the same calls written in WSDL order', async () => {
    const vm = await probeVM(soap(), sim().inventory.datacenters[0]!, 'strict-ordered')
    const done = await soap().task(soap().reconfigure(vm, { name: 'strict-ordered-2', extraConfig: [['k', 'v']] }))
    expect(done.state).toBe('success')
    expect((await soap().extraConfig(vm)).filter(([k]) => k === 'k')).toEqual([['k', 'v']])
  })
})

describe('without strict mode', () => {
  const sim = useSim({ strict: false })
  const soap = useRawSoap(sim)

  it('lets vcsim accept every one of those requests', async () => {
    const vm = await probeVM(soap(), sim().inventory.datacenters[0]!, 'lax-target')
    for (const { what, body } of refusedRequests(vm)) {
      const reply = await soap().post(envelope(body))
      expect({ what, status: reply.status }).toEqual({ what, status: 200 })
    }
  })

  it('turns an untyped OptionValue.value into a removal, the mistake strict mode exists to catch', async () => {
    const vm = await probeVM(soap(), sim().inventory.datacenters[0]!, 'lax-untyped')
    await soap().task(soap().reconfigure(vm, { extraConfig: [['k', 'kept']] }))
    await soap().task(soap().reconfigure(vm, { extraConfig: [['k', null]] }))
    expect((await soap().extraConfig(vm)).filter(([k]) => k === 'k')).toEqual([])
  })
})
