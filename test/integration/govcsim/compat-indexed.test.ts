// Compat: a property path may select one ExtraConfig element by its key, `config.extraConfig["key"]`, as on
// vCenter: the answer carries that OptionValue alone under the path asked for, a key the VM lacks is left out
// without a fault, and it works through a folder traversal and with paging. Pure vcsim reports such a path as an
// InvalidProperty in each object's missingSet.
import { beforeAll, describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import {
  allTextOf,
  createTestVM,
  expectOk,
  optionValues,
  propertyValue,
  useRawSoap,
  type MoRef,
} from '../../helpers/raw-soap.js'

const picked = 'config.extraConfig["common/name"]'
const absent = 'config.extraConfig["no/such-key"]'

describe('indexed ExtraConfig paths with compat', () => {
  const sim = useSim()
  const soap = useRawSoap(sim)
  const vms: MoRef[] = []
  const folder = (): MoRef => ({ type: 'Folder', value: sim().inventory.datacenters[0]!.vmFolder })

  beforeAll(async () => {
    for (const name of ['idx-a', 'idx-b', 'idx-c']) {
      const made = await createTestVM(soap(), sim().inventory.datacenters[0]!, name, {
        extraConfig: [
          ['common/name', `${name} <&> "q"`],
          ['guestinfo.vice./common/name', 'guest-visible'],
        ],
      })
      expect(made.state).toBe('success')
      vms.push(made.result!)
    }
  })

  it('returns just the element asked for, as an OptionValue under the indexed path', async () => {
    const reply = await soap().retrieve(vms[0]!, [picked, 'name'])
    expectOk(reply)
    expect(optionValues(propertyValue(reply.text, picked) ?? '')).toEqual([])
    expect(reply.text).toMatch(/:type="OptionValue"/)
    expect(reply.text).not.toContain('guestinfo.vice./common/name')
    const names = allTextOf(reply.text, 'name')
    expect(names).toEqual(expect.arrayContaining([picked, 'name']))
    expect(allTextOf(reply.text, 'key')).toEqual(['common/name'])
    expect(allTextOf(reply.text, 'value')).toEqual(['idx-a <&> "q"'])
  })

  it('leaves out a key the VM does not have, without a fault', async () => {
    const reply = await soap().retrieve(vms[0]!, [absent, 'name'])
    expectOk(reply)
    expect(allTextOf(reply.text, 'name')).toEqual(['name'])
  })

  it('keeps the whole ExtraConfig when it is asked for by name too', async () => {
    const reply = await soap().retrieve(vms[1]!, ['config.extraConfig', picked])
    expectOk(reply)
    expect(allTextOf(reply.text, 'name')).toEqual(expect.arrayContaining(['config.extraConfig', picked]))
    expect(allTextOf(reply.text, 'key')).toEqual(expect.arrayContaining(['guestinfo.vice./common/name', 'common/name']))
  })

  it('selects through a folder traversal, page by page', async () => {
    const first = await soap().listVMs(folder(), [picked], 2)
    expectOk(first)
    expect(allTextOf(first.text, 'value')).toHaveLength(2)
    expect(first.text).not.toContain('guestinfo.vice./common/name')
    const all = await soap().listVMs(folder(), [picked])
    expectOk(all)
    expect(allTextOf(all.text, 'value').sort()).toEqual(['idx-a <&> "q"', 'idx-b <&> "q"', 'idx-c <&> "q"'])
  })
})

describe('indexed ExtraConfig paths in pure vcsim', () => {
  const sim = useSim({ compat: false })
  const soap = useRawSoap(sim)

  it('reports the path as an invalid property (what compat makes vCenter-like)', async () => {
    const made = await createTestVM(soap(), sim().inventory.datacenters[0]!, 'idx-raw')
    const reply = await soap().retrieve(made.result!, [picked])
    expectOk(reply)
    // vcsim puts the path in the object's missingSet with InvalidProperty: the value is never there
    expect(allTextOf(reply.text, 'path')).toEqual([picked])
    expect(reply.text).toMatch(/:type="InvalidProperty"/)
    expect(reply.text).not.toContain('<propSet>')
  })
})
