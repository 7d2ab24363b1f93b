// Compat: the inventory model reads like vCenter's. The datastore folder lists each datastore once and
// Datastore.host lists every host that mounts it; vcsim lists a datastore once per host and keeps one host.
import { describe, expect, it } from 'vitest'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { useSim } from '../../helpers/govcsim.js'
import { allTextOf, useRawSoap, type RawSoap } from '../../helpers/raw-soap.js'

async function datastoreFolderChildren(sim: () => Govcsim, soap: RawSoap): Promise<string[]> {
  const folder = sim().inventory.datacenters[0]!.datastoreFolder
  const xml = (await soap.property({ type: 'Folder', value: folder }, 'childEntity')) ?? ''
  return allTextOf(xml, 'ManagedObjectReference')
}

async function mountingHosts(sim: () => Govcsim, soap: RawSoap): Promise<string[][]> {
  const result: string[][] = []
  for (const ds of sim().inventory.datacenters[0]!.datastores) {
    const xml = (await soap.property({ type: 'Datastore', value: ds.moref }, 'host')) ?? ''
    result.push(allTextOf(xml, 'key').sort())
  }
  return result
}

const allHosts = (sim: () => Govcsim) =>
  sim()
    .inventory.datacenters[0]!.hosts.map((h) => h.moref)
    .sort()

describe('inventory model with compat', () => {
  const sim = useSim({ datastores: 2 })
  const soap = useRawSoap(sim)

  it('lists each datastore once in the datastore folder', async () => {
    const children = await datastoreFolderChildren(sim, soap())
    expect(children.sort()).toEqual(sim().inventory.datacenters[0]!.datastores.map((d) => d.moref).sort())
  })

  it('lists every mounting host in Datastore.host', async () => {
    expect(await mountingHosts(sim, soap())).toEqual([allHosts(sim), allHosts(sim)])
  })
})

describe('inventory model without compat (pure vcsim 0.24.2)', () => {
  const sim = useSim({ datastores: 2, compat: false })
  const soap = useRawSoap(sim)

  it('lists each datastore once per host in the datastore folder', async () => {
    const children = await datastoreFolderChildren(sim, soap())
    expect(children).toHaveLength(2 * allHosts(sim).length)
  })

  it('keeps a single host in Datastore.host', async () => {
    for (const hosts of await mountingHosts(sim, soap())) expect(hosts).toHaveLength(1)
  })
})
