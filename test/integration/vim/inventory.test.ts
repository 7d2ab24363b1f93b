import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { retrievePages, objectsFilterSpec } from '../../../src/vim/property.js'
import { moref, type MoRef, type VimClient } from '../../../src/vim/index.js'
import { connectTo, delta } from './support.js'

// 2 VMs per pool and per standalone host: 4 VMs in one datacenter
const sim = useSim({ vms: 2, standaloneHosts: 1 })

let client: VimClient
beforeAll(async () => {
  client = await connectTo(sim())
})
afterAll(async () => {
  await client?.close()
})

const expectedVmNames = (): string[] =>
  sim()
    .inventory.datacenters.flatMap((dc) => dc.vms.map((vm) => vm.name))
    .sort()

describe('listing the inventory', () => {
  it('lists every VM under the root folder with the asked paths, in three round trips', async () => {
    const before = await sim().stats()
    const vms = await client.list<{ name: string; 'runtime.powerState': string; 'config.extraConfig': unknown[] }>(
      client.serviceContent.rootFolder,
      'VirtualMachine',
      ['name', 'runtime.powerState', 'config.extraConfig'],
    )
    expect(delta(before, await sim().stats())).toEqual({
      CreateContainerView: 1,
      RetrievePropertiesEx: 1,
      DestroyView: 1,
    })
    expect(vms.map((v) => v.props.name).sort()).toEqual(expectedVmNames())
    for (const vm of vms) {
      expect(vm.obj.type).toBe('VirtualMachine')
      expect(['poweredOn', 'poweredOff']).toContain(vm.props['runtime.powerState'])
      expect(Array.isArray(vm.props['config.extraConfig'])).toBe(true)
    }
  })

  it('finds objects by inventory path, and nothing for a path that does not exist', async () => {
    const dc = sim().inventory.datacenters[0]!
    expect(await client.findByInventoryPath(`/${dc.name}/vm`)).toEqual(moref('Folder', dc.vmFolder))
    const pool = dc.resourcePools[0]!
    expect(await client.findByInventoryPath(pool.path)).toEqual(moref('ResourcePool', pool.moref))
    expect(await client.findByInventoryPath(`/${dc.name}/vm/no-such-vm`)).toBeUndefined()
  })

  it('reports an unknown property path as missing instead of failing the read', async () => {
    const vm = moref('VirtualMachine', sim().inventory.datacenters[0]!.vms[0]!.moref)
    const [read] = await client.retrieve([vm], ['name', 'config.noSuchProperty'])
    expect(read?.props.name).toBe(sim().inventory.datacenters[0]!.vms[0]!.name)
    expect(read?.missing['config.noSuchProperty']?.faultType).toBe('InvalidProperty')
  })
})

describe('paging with maxObjects', () => {
  const vmRefs = (): MoRef[] => sim().inventory.datacenters.flatMap((dc) => dc.vms.map((vm) => moref('VirtualMachine', vm.moref)))

  it('reads every object through ContinueRetrievePropertiesEx, one page per round trip', async () => {
    const before = await sim().stats()
    const vms = await client.list<{ name: string }>(client.serviceContent.rootFolder, 'VirtualMachine', ['name'], { maxObjects: 1 })
    expect(vms.map((v) => v.props.name).sort()).toEqual(expectedVmNames())
    expect(delta(before, await sim().stats())).toEqual({
      CreateContainerView: 1,
      RetrievePropertiesEx: 1,
      ContinueRetrievePropertiesEx: vms.length - 1,
      DestroyView: 1,
    })
  })

  it('gives pages of at most maxObjects', async () => {
    const sizes: number[] = []
    for await (const page of retrievePages(client.rt, client.propertyCollector, [objectsFilterSpec(vmRefs(), ['name'])], {
      maxObjects: 3,
    })) {
      sizes.push(page.length)
    }
    expect(sizes).toEqual([3, 1])
  })

  it('cancels the rest on the server when the reader stops early, and still destroys the view', async () => {
    const before = await sim().stats()
    let pages = 0
    for await (const page of client.listPages(client.serviceContent.rootFolder, 'VirtualMachine', ['name'], { maxObjects: 1 })) {
      expect(page).toHaveLength(1)
      pages++
      break
    }
    expect(pages).toBe(1)
    expect(delta(before, await sim().stats())).toEqual({
      CreateContainerView: 1,
      RetrievePropertiesEx: 1,
      CancelRetrievePropertiesEx: 1,
      DestroyView: 1,
    })
  })

  it('destroys the view when the read fails', async () => {
    await sim().injectFault({ method: 'RetrievePropertiesEx', fault: 'SystemError', count: 1, message: 'boom' })
    const before = await sim().stats()
    await expect(client.list(client.serviceContent.rootFolder, 'VirtualMachine', ['name'])).rejects.toThrow(/boom/)
    expect(delta(before, await sim().stats())).toEqual({ CreateContainerView: 1, RetrievePropertiesEx: 1, DestroyView: 1 })
  })
})
