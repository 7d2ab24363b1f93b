// Compat: WaitForUpdatesEx reports per change, as vCenter's property collector does. A client watching every VM
// of a folder through a ContainerView gets, after one reconfigure, an update that lists that VM alone with the
// paths that changed, and the simulator collects that one VM for it, however many VMs the folder holds (vcsim
// re-collects the whole filter on every event). Indexed ExtraConfig paths work in a filter as in a retrieval: a
// change of another key sends nothing, the key's removal is sent as removed.
import { afterEach, describe, expect, it } from 'vitest'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { startSim, useSim } from '../../helpers/govcsim.js'
import {
  allTextOf,
  createTestVM,
  el,
  expectOk,
  moref,
  RawSoap,
  returnedRef,
  textOf,
  useRawSoap,
  unescapeXml,
  type MoRef,
  type SoapReply,
} from '../../helpers/raw-soap.js'

interface Watch {
  collector: MoRef
  version: string
  /** the first answer: every VM of the folder as it entered */
  first: string
}

/** A collector of its own with one filter over a ContainerView of the first datacenter's VM folder. */
async function watchFolder(sim: Govcsim, soap: RawSoap, paths: readonly string[]): Promise<Watch> {
  const folder: MoRef = { type: 'Folder', value: sim.inventory.datacenters[0]!.vmFolder }
  const viewReply = await soap.call(
    'CreateContainerView',
    { type: 'ViewManager', value: 'ViewManager' },
    `${moref('container', folder)}${el('type', 'VirtualMachine')}${el('recursive', 'true')}`,
  )
  expectOk(viewReply)
  const view = returnedRef(viewReply.text)!
  const collectorReply = await soap.call('CreatePropertyCollector', { type: 'PropertyCollector', value: 'propertyCollector' }, '')
  expectOk(collectorReply)
  const collector = returnedRef(collectorReply.text)!
  const propSet = `<propSet>${el('type', 'VirtualMachine')}${paths.map((p) => el('pathSet', p)).join('')}</propSet>`
  const traversal = `<selectSet xsi:type="TraversalSpec">${el('name', 'view')}${el('type', 'ContainerView')}${el('path', 'view')}${el('skip', 'false')}</selectSet>`
  const spec = `<spec>${propSet}<objectSet>${moref('obj', view)}${el('skip', 'true')}${traversal}</objectSet></spec>`
  expectOk(await soap.call('CreateFilter', collector, `${spec}${el('partialUpdates', 'false')}`))
  const first = await soap.call('WaitForUpdatesEx', collector, el('version', ''))
  expectOk(first)
  return { collector, version: textOf(first.text, 'version') ?? '', first: first.text }
}

function waitFrom(soap: RawSoap, collector: MoRef, version: string, maxWaitSeconds: number): Promise<SoapReply> {
  return soap.call('WaitForUpdatesEx', collector, `${el('version', version)}<options>${el('maxWaitSeconds', String(maxWaitSeconds))}</options>`)
}

/** Each object update of an answer: the object, its kind, and the names (with ops) of its changes. */
function objectUpdates(xml: string): Array<{ obj: string; kind: string; changes: string[] }> {
  return [...xml.matchAll(/<objectSet>([\s\S]*?)<\/objectSet>/g)].map(([, u]) => ({
    obj: /<obj type="[^"]+">([^<]*)<\/obj>/.exec(u!)?.[1] ?? '',
    kind: textOf(u!, 'kind') ?? '',
    changes: [...u!.matchAll(/<changeSet><name>([^<]*)<\/name><op>([^<]*)<\/op>/g)].map(([, name, op]) => `${op} ${unescapeXml(name!)}`),
  }))
}

interface CollectorCounts {
  retrievals: number
  objectsCollected: number
}

async function collectorCounts(sim: Govcsim): Promise<CollectorCounts> {
  const res = await fetch(new URL('/govcsim/collector', sim.url))
  expect(res.status).toBe(200)
  return (await res.json()) as CollectorCounts
}

describe('WaitForUpdatesEx per change with compat', () => {
  const sim = useSim({ vms: 10 })
  const soap = useRawSoap(sim)

  it('lists only the VM a reconfigure changed, with only the paths it changed', async () => {
    const vms = sim().inventory.datacenters[0]!.vms
    expect(vms).toHaveLength(20)
    const watch = await watchFolder(sim(), soap(), ['name', 'config.extraConfig', 'runtime.powerState'])
    expect(objectUpdates(watch.first).filter((u) => u.kind === 'enter')).toHaveLength(20)

    const target = { type: 'VirtualMachine', value: vms[7]!.moref }
    expect((await soap().task(soap().reconfigure(target, { extraConfig: [['watched/key', 'one']] }))).state).toBe('success')
    const reply = await waitFrom(soap(), watch.collector, watch.version, 10)
    expectOk(reply)
    expect(objectUpdates(reply.text)).toEqual([{ obj: target.value, kind: 'modify', changes: ['assign config.extraConfig'] }])
  })

  it('reports a VM made in the folder as entering and a VM destroyed as leaving, once each', async () => {
    const watch = await watchFolder(sim(), soap(), ['name'])
    const created = await createTestVM(soap(), sim().inventory.datacenters[0]!, 'comes-and-goes')
    expect(created.state).toBe('success')
    const entered = await waitFrom(soap(), watch.collector, watch.version, 10)
    expect(objectUpdates(entered.text)).toEqual([{ obj: created.result!.value, kind: 'enter', changes: ['assign name'] }])

    expect((await soap().task(soap().call('Destroy_Task', created.result!))).state).toBe('success')
    const left = await waitFrom(soap(), watch.collector, textOf(entered.text, 'version')!, 10)
    expect(objectUpdates(left.text)).toEqual([{ obj: created.result!.value, kind: 'leave', changes: [] }])
  })

  it('sends an indexed ExtraConfig path only when that key changes, and its removal as removed', async () => {
    const target = { type: 'VirtualMachine', value: sim().inventory.datacenters[0]!.vms[3]!.moref }
    expect((await soap().task(soap().reconfigure(target, { extraConfig: [['watched/a', 'first']] }))).state).toBe('success')
    const watch = await watchFolder(sim(), soap(), ['config.extraConfig["watched/a"]'])
    const entered = objectUpdates(watch.first).find((u) => u.obj === target.value)
    expect(entered?.changes).toEqual(['assign config.extraConfig["watched/a"]'])

    // another key: nothing the filter watches changed
    expect((await soap().task(soap().reconfigure(target, { extraConfig: [['watched/b', 'other']] }))).state).toBe('success')
    const quiet = await waitFrom(soap(), watch.collector, watch.version, 1)
    expectOk(quiet)
    expect(textOf(quiet.text, 'returnval')).toBeUndefined()

    expect((await soap().task(soap().reconfigure(target, { extraConfig: [['watched/a', 'second']] }))).state).toBe('success')
    const changed = await waitFrom(soap(), watch.collector, watch.version, 10)
    expect(objectUpdates(changed.text)).toEqual([{ obj: target.value, kind: 'modify', changes: ['assign config.extraConfig["watched/a"]'] }])
    expect(changed.text).toMatch(/<key>watched\/a<\/key><value[^>]*>second<\/value>/)

    expect((await soap().task(soap().reconfigure(target, { extraConfig: [['watched/a', '']] }))).state).toBe('success')
    const removed = await waitFrom(soap(), watch.collector, textOf(changed.text, 'version')!, 10)
    expect(objectUpdates(removed.text)).toEqual([{ obj: target.value, kind: 'modify', changes: ['remove config.extraConfig["watched/a"]'] }])
  })

  it('reports a filter created on a collector that already answered, with its objects entering', async () => {
    const watch = await watchFolder(sim(), soap(), ['name'])
    const vm = sim().inventory.datacenters[0]!.vms[0]!
    const spec = `<spec><propSet>${el('type', 'VirtualMachine')}${el('pathSet', 'config.changeVersion')}</propSet><objectSet>${moref('obj', { type: 'VirtualMachine', value: vm.moref })}</objectSet></spec>`
    expectOk(await soap().call('CreateFilter', watch.collector, `${spec}${el('partialUpdates', 'false')}`))
    const reply = await waitFrom(soap(), watch.collector, watch.version, 10)
    expect(objectUpdates(reply.text)).toEqual([{ obj: vm.moref, kind: 'enter', changes: ['assign config.changeVersion'] }])
  })
})

describe('the simulator work of one change with compat', () => {
  const started: Govcsim[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()))
  })

  /** Objects the simulator collected to answer a watcher of the whole folder after one reconfigure. */
  async function collectedForOneChange(vmsPerPool: number): Promise<number> {
    const sim = await startSim({ vms: vmsPerPool })
    started.push(sim)
    const soap = await RawSoap.connect(sim.url, sim.username, sim.password)
    try {
      const watch = await watchFolder(sim, soap, ['name', 'config.extraConfig'])
      const before = await collectorCounts(sim)
      const target = { type: 'VirtualMachine', value: sim.inventory.datacenters[0]!.vms[1]!.moref }
      expect((await soap.task(soap.reconfigure(target, { extraConfig: [['watched/n', String(vmsPerPool)]] }))).state).toBe('success')
      const reply = await waitFrom(soap, watch.collector, watch.version, 10)
      expect(allTextOf(reply.text, 'kind')).toEqual(['modify'])
      return (await collectorCounts(sim)).objectsCollected - before.objectsCollected
    } finally {
      soap.close()
    }
  }

  it('collects the one VM that changed, with 10 VMs in the folder as with 200', async () => {
    expect(await collectedForOneChange(5)).toBe(1)
    expect(await collectedForOneChange(100)).toBe(1)
  })
})
