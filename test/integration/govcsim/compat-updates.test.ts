// Compat: WaitForUpdatesEx reports the ExtraConfig, name and changeVersion changes a reconfigure makes, as
// vCenter does; pure vcsim never reports config.extraConfig changes, so a client waiting on them waits forever.
// And an answer applied in order moves a VM forward only: vcsim lists a new VM's enter, collected as it answers,
// before the older changes it had queued for that VM. And versions mean what they mean on vCenter: vcsim ignores
// the version a wait carries, so an answer the client never got is lost for good.
import { describe, expect, it } from 'vitest'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { useSim } from '../../helpers/govcsim.js'
import {
  allTextOf,
  createTestVM,
  el,
  expectOk,
  faultType,
  moref,
  optionValues,
  propertyCollector,
  returnedRef,
  textOf,
  useRawSoap,
  type MoRef,
  type RawSoap,
} from '../../helpers/raw-soap.js'

/** A property filter on one VM's extraConfig, name and changeVersion, past its initial update; its version. */
async function watch(soap: RawSoap, vm: MoRef): Promise<string> {
  const propSet = `<propSet>${el('type', 'VirtualMachine')}${el('pathSet', 'config.extraConfig')}${el('pathSet', 'name')}${el('pathSet', 'config.changeVersion')}</propSet>`
  const spec = `<spec>${propSet}<objectSet>${moref('obj', vm)}</objectSet></spec>`
  const filter = await soap.call('CreateFilter', propertyCollector, `${spec}${el('partialUpdates', 'false')}`)
  expectOk(filter)
  expect(returnedRef(filter.text)?.type).toBe('PropertyFilter')
  return versionOf(await soap.call('WaitForUpdatesEx', propertyCollector, el('version', '')))
}

function versionOf(reply: { status: number; text: string }): string {
  expectOk(reply)
  return textOf(reply.text, 'version') ?? ''
}

/** A wait from `version` within maxWaitSeconds, as raw XML (no <returnval> when nothing changed). */
function waitFrom(soap: RawSoap, collector: MoRef, version: string, maxWaitSeconds: number): Promise<{ status: number; text: string }> {
  return soap.call('WaitForUpdatesEx', collector, `${el('version', version)}<options>${el('maxWaitSeconds', String(maxWaitSeconds))}</options>`)
}

async function reconfiguredVM(sim: () => Govcsim, soap: RawSoap, name: string): Promise<string> {
  const created = await createTestVM(soap, sim().inventory.datacenters[0]!, name)
  expect(created.state).toBe('success')
  const vm = created.result!
  const version = await watch(soap, vm)
  expect((await soap.task(soap.reconfigure(vm, { name: `${name}-renamed`, extraConfig: [['watched/key', 'new value']] }))).state).toBe('success')
  return version
}

describe('WaitForUpdatesEx with compat', () => {
  const sim = useSim()
  const soap = useRawSoap(sim)

  it('reports the extraConfig, name and changeVersion a reconfigure changed', async () => {
    const version = await reconfiguredVM(sim, soap(), 'watched')
    const reply = await waitFrom(soap(), propertyCollector, version, 10)
    expectOk(reply)
    const update = reply.text
    expect(update).toContain('<name>config.extraConfig</name>')
    expect(update).toMatch(/<key>watched\/key<\/key><value[^>]*>new value<\/value>/)
    expect(update).toMatch(/<name>name<\/name><op>assign<\/op><val[^>]*>watched-renamed<\/val>/)
    expect(update).toContain('<name>config.changeVersion</name>')
  })
})

/**
 * A collector of its own watching name and extraConfig of every VM in the first datacenter's VM folder through a
 * ContainerView, past its initial update, as portlayer's store watches: a VM made later enters it.
 */
async function watchFolder(sim: () => Govcsim, soap: RawSoap): Promise<{ collector: MoRef; version: string }> {
  const folder: MoRef = { type: 'Folder', value: sim().inventory.datacenters[0]!.vmFolder }
  const viewReply = await soap.call(
    'CreateContainerView',
    { type: 'ViewManager', value: 'ViewManager' },
    `${moref('container', folder)}${el('type', 'VirtualMachine')}${el('recursive', 'true')}`,
  )
  expectOk(viewReply)
  const view = returnedRef(viewReply.text)!
  const collectorReply = await soap.call('CreatePropertyCollector', propertyCollector, '')
  expectOk(collectorReply)
  const collector = returnedRef(collectorReply.text)!
  const propSet = `<propSet>${el('type', 'VirtualMachine')}${el('pathSet', 'name')}${el('pathSet', 'config.extraConfig')}</propSet>`
  const traversal = `<selectSet xsi:type="TraversalSpec">${el('name', 'view')}${el('type', 'ContainerView')}${el('path', 'view')}${el('skip', 'false')}</selectSet>`
  const spec = `<spec>${propSet}<objectSet>${moref('obj', view)}${el('skip', 'true')}${traversal}</objectSet></spec>`
  expectOk(await soap.call('CreateFilter', collector, `${spec}${el('partialUpdates', 'false')}`))
  return { collector, version: versionOf(await soap.call('WaitForUpdatesEx', collector, el('version', ''))) }
}

/** A VM's ExtraConfig value `key` after each update of it in the answer, applied in order. */
function valuesInOrder(update: string, vm: MoRef, key: string): string[] {
  const seen: string[] = []
  for (const [, objectUpdate] of update.matchAll(/<objectSet>([\s\S]*?)<\/objectSet>/g)) {
    if (!objectUpdate!.includes(`>${vm.value}</obj>`)) continue
    const value = optionValues(objectUpdate!).find(([k]) => k === key)?.[1]
    if (value !== undefined) seen.push(value)
  }
  return seen
}

describe('WaitForUpdatesEx answers with compat', () => {
  const sim = useSim()
  const soap = useRawSoap(sim)

  it('moves a VM that enters forward only: no older change of it follows its enter in the same answer', async () => {
    const { collector, version } = await watchFolder(sim, soap())
    // made and changed while no wait is out, so one answer carries the enter and the queued changes
    const created = await createTestVM(soap(), sim().inventory.datacenters[0]!, 'entering', {
      extraConfig: [['watched/step', 'created']],
    })
    expect(created.state).toBe('success')
    const vm = created.result!
    const changed = await soap().task(soap().reconfigure(vm, { extraConfig: [['watched/step', 'reconfigured']] }))
    expect(changed.state).toBe('success')

    const reply = await waitFrom(soap(), collector, version, 10)
    expectOk(reply)
    expect(allTextOf(reply.text, 'kind')).toContain('enter')
    expect(valuesInOrder(reply.text, vm, 'watched/step')).toEqual(['reconfigured'])
  })

  it('sends an object changed several times since the last answer once, with its latest values', async () => {
    const { collector, version } = await watchFolder(sim, soap())
    const created = await createTestVM(soap(), sim().inventory.datacenters[0]!, 'changed-thrice')
    expect(created.state).toBe('success')
    const vm = created.result!
    const seen = versionOf(await waitFrom(soap(), collector, version, 10))
    for (const step of ['1', '2', '3'])
      expect((await soap().task(soap().reconfigure(vm, { extraConfig: [['watched/step', step]] }))).state).toBe('success')
    const reply = await waitFrom(soap(), collector, seen, 10)
    expectOk(reply)
    expect(valuesInOrder(reply.text, vm, 'watched/step')).toEqual(['3'])
  })

  it('answers a wait from the version before the last answer with that answer again: a lost answer is not lost', async () => {
    const { collector, version } = await watchFolder(sim, soap())
    const created = await createTestVM(soap(), sim().inventory.datacenters[0]!, 'resent')
    expect(created.state).toBe('success')
    const first = await waitFrom(soap(), collector, version, 10)
    const next = versionOf(first)
    expect(next).not.toBe(version)
    expect(first.text).toContain(`>${created.result!.value}</obj>`)
    // the client never got `first` and asks again from where it was
    const again = await waitFrom(soap(), collector, version, 10)
    expect(again.text).toBe(first.text)
    // from the new version on, nothing is pending
    expect(textOf((await waitFrom(soap(), collector, next, 1)).text, 'returnval')).toBeUndefined()
  })

  it('refuses a version it never gave with InvalidCollectorVersion', async () => {
    const { collector, version } = await watchFolder(sim, soap())
    const reply = await waitFrom(soap(), collector, `${version}7`, 1)
    expect(faultType(reply.text)).toBe('InvalidCollectorVersion')
  })
})

describe('WaitForUpdatesEx without compat (pure vcsim 0.24.2)', () => {
  const sim = useSim({ compat: false })
  const soap = useRawSoap(sim)

  it('reports nothing when a reconfigure changes extraConfig', async () => {
    const version = await reconfiguredVM(sim, soap(), 'raw-watched')
    const reply = await waitFrom(soap(), propertyCollector, version, 1)
    expectOk(reply)
    const update = reply.text
    expect(update).not.toContain('<returnval>')
    expect(update).not.toContain('watched/key')
  })
})
