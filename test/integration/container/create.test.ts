// What a created container is in vSphere, read back from the simulator itself (raw SOAP, its inventory, the
// directory behind the datastore): the VM's display name, its folder and files, the ExtraConfig a VIC tether
// and an older VIC service would read, its serial ports, guest, CPUs and memory.
import { describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { folderEntries, readVm, simVm, type VmFacts } from '../../helpers/sim-reads.js'

// VIC's fixed VM settings (lib/spec/spec.go), written at create next to the container's own keys.
const vicVmSettings = {
  'disk.EnableUUID': 'true',
  'answer.msg.disk.duplicateUUID': 'Yes',
  'answer.msg.serial.file.open': 'Append',
  'sched.mem.lpage.maxSharedPages': '256',
  'vmotion.checkpointSVGAPrimarySize': '4194304',
  'serial0.hardwareFlowControl': 'TRUE',
  'memory.noHotAddOver4GB': 'FALSE',
  'memory.maxGrow': '512',
  'tools.remindInstall': 'FALSE',
  'tools.upgrade.policy': 'manual',
}

describe('a container created on a datastore that is not vSAN', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)

  async function factsOf(c: ContainerView): Promise<VmFacts> {
    const vm = await simVm(pl().sim, c.displayName)
    expect(vm, `the simulator has a VM named ${c.displayName}`).toBeDefined()
    expect(vm?.value).toBe(c.vm.moref)
    return readVm(soap(), vm!)
  }

  it('is a VM named name-shortID whose folder on the datastore is the container ID, holding the .vmx', async () => {
    const c = await api.created({ name: 'web' })
    expect(c.displayName).toBe(`web-${c.id.slice(0, 12)}`)
    const vm = await factsOf(c)
    expect(vm.name).toBe(`web-${c.id.slice(0, 12)}`)
    expect(vm.vmPathName).toBe(`[LocalDS_0] ${c.id}/${c.id}.vmx`)
    expect(folderEntries(pl().sim, 'LocalDS_0', c.id)).toContain(`${c.id}.vmx`)
  })

  it('cuts a 100-character name to 67 characters in the display name, and keeps the whole name in common/name', async () => {
    const name = 'n'.repeat(40) + '-' + 'x'.repeat(59)
    expect(name).toHaveLength(100)
    const c = await api.created({ name })
    const vm = await factsOf(c)
    expect(vm.name).toBe(`${name.slice(0, 67)}-${c.id.slice(0, 12)}`)
    expect(vm.name).toHaveLength(80)
    expect(vm.extraConfig.get('common/name')).toBe(name)
    expect(c.name).toBe(name)
    expect(folderEntries(pl().sim, 'LocalDS_0', c.id)).toContain(`${c.id}.vmx`)
  })

  it('keeps the name in hidden common/name only, stamps data version 10 and carries VIC\'s VM settings', async () => {
    const c = await api.created({ name: 'hidden-name', image: 'busybox' })
    const { extraConfig } = await factsOf(c)
    expect(extraConfig.get('common/name')).toBe('hidden-name')
    expect(extraConfig.has('guestinfo.vice./common/name')).toBe(false)
    expect(extraConfig.get('guestinfo.vice./common/id')).toBe(c.id)
    expect(extraConfig.get('guestinfo.vice./version/PluginVersion')).toBe('10')
    expect(extraConfig.get('guestinfo.vice./repo')).toBe('busybox')
    for (const [key, value] of Object.entries(vicVmSettings)) expect(extraConfig.get(key), key).toBe(value)
    // vSphere drops a key sent with an empty value, so VIC writes empties as <nil>
    expect([...extraConfig.values()]).not.toContain('')
    expect(c.dataVersion).toBe(10)
    expect(c.renameSupported).toBe(true)
  })

  it('stores network aliases and links in VIC\'s hidden slices, and the links in hostconfig/links', async () => {
    const c = await api.created({
      name: 'linked',
      networks: { bridge: { aliases: ['webalias', 'www'] }, backend: {} },
      links: ['db:database', 'cache:redis'],
    })
    const { extraConfig } = await factsOf(c)
    // a slice is stored as its last index and the values joined by |; links ride on every network, as in VIC
    expect(extraConfig.get('networks|bridge/network/aliases')).toBe('3')
    expect(extraConfig.get('networks|bridge/network/aliases~')).toBe(':webalias|:www|db:database|cache:redis')
    expect(extraConfig.get('networks|backend/network/aliases')).toBe('1')
    expect(extraConfig.get('networks|backend/network/aliases~')).toBe('db:database|cache:redis')
    expect(extraConfig.get('hostconfig/links')).toBe('1')
    expect(extraConfig.get('hostconfig/links~')).toBe('db:database|cache:redis')
    expect(extraConfig.get('guestinfo.vice./networks')).toBe('backend|bridge')
    expect(c.networks).toEqual({
      bridge: { aliases: ['webalias', 'www'], links: ['db:database', 'cache:redis'] },
      backend: { aliases: [], links: ['db:database', 'cache:redis'] },
    })
  })

  it('has output.log and tether.debug serial ports in its folder, guest otherGuest64, CPUs and memory as asked', async () => {
    const c = await api.created({ name: 'sized', cpus: 2, memoryMB: 512 })
    const vm = await factsOf(c)
    expect(vm.serialFiles.sort()).toEqual([`[LocalDS_0] ${c.id}/output.log`, `[LocalDS_0] ${c.id}/tether.debug`])
    expect(vm.guestId).toBe('otherGuest64')
    expect(vm.numCPU).toBe(2)
    expect(vm.memoryMB).toBe(512)
    expect(vm.powerState).toBe('poweredOff')
    expect(c.state).toBe('created')
  })

  it('gives a container created without sizes one CPU and 2 GB', async () => {
    const vm = await factsOf(await api.created({ name: 'defaults' }))
    expect(vm.numCPU).toBe(1)
    expect(vm.memoryMB).toBe(2048)
  })

  it('generates a docker-style name when none is given', async () => {
    const c = await api.created({})
    expect(c.name).toMatch(/^[a-z]+_[a-z]+\d*$/)
    const { extraConfig } = await factsOf(c)
    expect(extraConfig.get('common/name')).toBe(c.name)
  })

  it('uses the ID it is given', async () => {
    const id = 'c0ffee'.padEnd(64, '0')
    const c = await api.created({ name: 'given-id', id })
    expect(c.id).toBe(id)
    const vm = await factsOf(c)
    expect(vm.vmPathName).toBe(`[LocalDS_0] ${id}/${id}.vmx`)
    expect(vm.extraConfig.get('guestinfo.vice./common/id')).toBe(id)
  })
})

describe('a container created on a vSAN datastore', () => {
  const pl = usePortlayer({ sim: { vsan: true }, config: { datastore: 'vsanDatastore' } })
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)

  it('lives in a folder named after its display name, as vSAN needs at creation', async () => {
    const c = await api.created({ name: 'on-vsan' })
    const display = `on-vsan-${c.id.slice(0, 12)}`
    const vmRef = await simVm(pl().sim, display)
    expect(vmRef?.value).toBe(c.vm.moref)
    const vm = await readVm(soap(), vmRef!)
    expect(vm.vmPathName).toBe(`[vsanDatastore] ${display}/${display}.vmx`)
    expect(folderEntries(pl().sim, 'vsanDatastore', display)).toContain(`${display}.vmx`)
    expect(folderEntries(pl().sim, 'vsanDatastore', c.id)).toEqual([])
    expect(vm.serialFiles.sort()).toEqual([
      `[vsanDatastore] ${display}/output.log`,
      `[vsanDatastore] ${display}/tether.debug`,
    ])
    expect(c.vm).toMatchObject({ datastore: 'vsanDatastore', folder: display })
  })

  it('cuts a long name in the folder exactly as in the display name', async () => {
    const name = 'v'.repeat(100)
    const c = await api.created({ name })
    const display = `${'v'.repeat(67)}-${c.id.slice(0, 12)}`
    expect(c.displayName).toBe(display)
    expect(folderEntries(pl().sim, 'vsanDatastore', display)).toContain(`${display}.vmx`)
    const vm = await readVm(soap(), (await simVm(pl().sim, display))!)
    expect(vm.extraConfig.get('common/name')).toBe(name)
  })
})
