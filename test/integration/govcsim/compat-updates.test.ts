// Compat: WaitForUpdatesEx reports the ExtraConfig, name and changeVersion changes a reconfigure makes, as
// vCenter does; pure vcsim never reports config.extraConfig changes, so a client waiting on them waits forever.
import { describe, expect, it } from 'vitest'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { useSim } from '../../helpers/govcsim.js'
import { createTestVM, el, expectOk, moref, propertyCollector, returnedRef, useRawSoap, type MoRef, type RawSoap } from '../../helpers/raw-soap.js'

/** A property filter on one VM's extraConfig, name and changeVersion, past its initial update. */
async function watch(soap: RawSoap, vm: MoRef): Promise<void> {
  const propSet = `<propSet>${el('type', 'VirtualMachine')}${el('pathSet', 'config.extraConfig')}${el('pathSet', 'name')}${el('pathSet', 'config.changeVersion')}</propSet>`
  const spec = `<spec>${propSet}<objectSet>${moref('obj', vm)}</objectSet></spec>`
  const filter = await soap.call('CreateFilter', propertyCollector, `${spec}${el('partialUpdates', 'false')}`)
  expectOk(filter)
  expect(returnedRef(filter.text)?.type).toBe('PropertyFilter')
  expectOk(await soap.call('WaitForUpdatesEx', propertyCollector, el('version', '')))
}

/** The next update within maxWaitSeconds, as raw XML (no <returnval> when nothing changed). */
async function nextUpdate(soap: RawSoap, maxWaitSeconds: number): Promise<string> {
  const reply = await soap.call('WaitForUpdatesEx', propertyCollector, `${el('version', '-')}<options>${el('maxWaitSeconds', String(maxWaitSeconds))}</options>`)
  expectOk(reply)
  return reply.text
}

async function reconfiguredVM(sim: () => Govcsim, soap: RawSoap, name: string): Promise<MoRef> {
  const created = await createTestVM(soap, sim().inventory.datacenters[0]!, name)
  expect(created.state).toBe('success')
  const vm = created.result!
  await watch(soap, vm)
  expect((await soap.task(soap.reconfigure(vm, { name: `${name}-renamed`, extraConfig: [['watched/key', 'new value']] }))).state).toBe('success')
  return vm
}

describe('WaitForUpdatesEx with compat', () => {
  const sim = useSim()
  const soap = useRawSoap(sim)

  it('reports the extraConfig, name and changeVersion a reconfigure changed', async () => {
    await reconfiguredVM(sim, soap(), 'watched')
    const update = await nextUpdate(soap(), 10)
    expect(update).toContain('<name>config.extraConfig</name>')
    expect(update).toMatch(/<key>watched\/key<\/key><value[^>]*>new value<\/value>/)
    expect(update).toMatch(/<name>name<\/name><op>assign<\/op><val[^>]*>watched-renamed<\/val>/)
    expect(update).toContain('<name>config.changeVersion</name>')
  })
})

describe('WaitForUpdatesEx without compat (pure vcsim 0.24.2)', () => {
  const sim = useSim({ compat: false })
  const soap = useRawSoap(sim)

  it('reports nothing when a reconfigure changes extraConfig', async () => {
    await reconfiguredVM(sim, soap(), 'raw-watched')
    const update = await nextUpdate(soap(), 1)
    expect(update).not.toContain('<returnval>')
    expect(update).not.toContain('watched/key')
  })
})
