import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import {
  findFault,
  isFault,
  VimFault,
  type MoRef,
  type VimClient,
  type VirtualMachineConfigSpec,
} from '../../../src/vim/index.js'
import { connectTo, datacenterRefs, delta, type DatacenterRefs } from './support.js'

// strict: the simulator refuses elements out of WSDL order and untyped anyType values, as vCenter does
const sim = useSim({ strict: true })
const raw = useRawSoap(sim)

let client: VimClient
let refs: DatacenterRefs

beforeAll(async () => {
  client = await connectTo(sim())
  refs = datacenterRefs(sim())
})
afterAll(async () => {
  await client?.close()
})

function specFor(name: string, extra: Partial<VirtualMachineConfigSpec> = {}): VirtualMachineConfigSpec {
  return {
    name,
    guestId: 'otherGuest',
    numCPUs: 1,
    memoryMB: 64,
    files: { vmPathName: `[${refs.datastore}] ${name}/${name}.vmx` },
    ...extra,
  }
}

async function changeVersion(vm: MoRef): Promise<string> {
  const { props } = await client.retrieveOne<{ 'config.changeVersion': string }>(vm, ['config.changeVersion'])
  return props['config.changeVersion'] ?? ''
}

describe('a VM through its life', () => {
  let vm: MoRef<'VirtualMachine'>

  it('is created with its ExtraConfig and serial ports, in one task call plus one read', async () => {
    const before = await sim().stats()
    vm = await client.createVM(
      refs.vmFolder,
      specFor('life', {
        extraConfig: [
          { key: 'common/name', value: 'life' },
          { key: 'guestinfo.vice./common/id', value: `quote " amp & lt < apos ' nl \n end` },
        ],
        deviceChange: [
          {
            operation: 'add',
            device: {
              _type: 'VirtualSerialPort',
              key: -1,
              yieldOnPoll: true,
              backing: { _type: 'VirtualSerialPortFileBackingInfo', fileName: `[${refs.datastore}] life/output.log` },
              connectable: { startConnected: true, allowGuestControl: true, connected: true },
            },
          },
          {
            operation: 'add',
            device: {
              _type: 'VirtualSerialPort',
              key: -2,
              yieldOnPoll: true,
              backing: { _type: 'VirtualSerialPortURIBackingInfo', serviceURI: 'tcp://127.0.0.1:2377', direction: 'client' },
              connectable: { startConnected: false, allowGuestControl: true, connected: false },
            },
          },
        ],
      }),
      refs.pool,
      { opId: 'create-life' },
    )
    expect(delta(before, await sim().stats())).toEqual({ CreateVM_Task: 1, RetrievePropertiesEx: 1 })
    expect(vm.type).toBe('VirtualMachine')
    // read back through an independent client
    expect(await raw().extraConfig(vm)).toEqual(
      expect.arrayContaining([
        ['common/name', 'life'],
        ['guestinfo.vice./common/id', `quote " amp & lt < apos ' nl \n end`],
      ]),
    )
    type Device = { _type?: string; backing?: Record<string, unknown> }
    const { props } = await client.retrieveOne<{ 'config.hardware.device': Device[] }>(vm, ['config.hardware.device'])
    const serial = (props['config.hardware.device'] ?? []).filter((d) => d._type === 'VirtualSerialPort')
    expect(serial.map((d) => d.backing)).toEqual([
      expect.objectContaining({ _type: 'VirtualSerialPortFileBackingInfo', fileName: `[${refs.datastore}] life/output.log` }),
      expect.objectContaining({ _type: 'VirtualSerialPortURIBackingInfo', serviceURI: 'tcp://127.0.0.1:2377' }),
    ])
  })

  it('adds, updates and removes ExtraConfig keys with changeVersion checked', async () => {
    await client.reconfigureVM(vm, { changeVersion: await changeVersion(vm), extraConfig: [{ key: 'added', value: '1' }] })
    expect(await raw().extraConfig(vm)).toContainEqual(['added', '1'])

    await client.reconfigureVM(vm, { changeVersion: await changeVersion(vm), extraConfig: [{ key: 'added', value: '0002' }] })
    const updated = await raw().extraConfig(vm)
    expect(updated.filter(([k]) => k === 'added')).toEqual([['added', '0002']])

    await client.reconfigureVM(vm, { changeVersion: await changeVersion(vm), extraConfig: [{ key: 'added', value: '' }] })
    expect((await raw().extraConfig(vm)).map(([k]) => k)).not.toContain('added')
  })

  it('refuses a reconfigure carrying a stale changeVersion with ConcurrentAccess', async () => {
    const stale = await changeVersion(vm)
    await client.reconfigureVM(vm, { changeVersion: stale, extraConfig: [{ key: 'first', value: 'wins' }] })
    const err = await client
      .reconfigureVM(vm, { changeVersion: stale, extraConfig: [{ key: 'second', value: 'loses' }] })
      .catch((e: unknown) => e)
    expect(isFault(err, 'ConcurrentAccess')).toBe(true)
    expect((err as VimFault).task?.type).toBe('Task')
    expect((await raw().extraConfig(vm)).map(([k]) => k)).not.toContain('second')
  })

  it('is renamed', async () => {
    await client.rename(vm, 'life-renamed')
    expect(await raw().property(vm, 'name')).toBe('life-renamed')
  })

  it('is powered on and off, and a second power-on fails with InvalidPowerState', async () => {
    await client.powerOn(vm)
    expect(await raw().property(vm, 'runtime.powerState')).toBe('poweredOn')
    const again = await client.powerOn(vm).catch((e: unknown) => e)
    expect(isFault(again, 'InvalidPowerState')).toBe(true)
    expect(isFault(again, 'InvalidState')).toBe(true)
    await client.powerOff(vm)
    expect(await raw().property(vm, 'runtime.powerState')).toBe('poweredOff')
  })

  it('is destroyed, and is then gone', async () => {
    await client.destroy(vm)
    const err = await client.retrieveOne(vm, ['name']).catch((e: unknown) => e)
    expect(isFault(err, 'ManagedObjectNotFound')).toBe(true)
  })
})

describe('names', () => {
  it('fails a second create with the same name with DuplicateName naming the VM that has it', async () => {
    const first = await client.createVM(refs.vmFolder, specFor('twin'), refs.pool)
    const elsewhere = specFor('twin', { files: { vmPathName: `[${refs.datastore}] twin2/twin2.vmx` } })
    const err = await client.createVM(refs.vmFolder, elsewhere, refs.pool).catch((e: unknown) => e)
    const fault = findFault(err, 'DuplicateName')
    expect(fault?.fields['name']).toBe('twin')
    expect(fault?.fields['object']).toEqual(first)
  })

  it('fails a rename onto a taken name with DuplicateName', async () => {
    const other = await client.createVM(refs.vmFolder, specFor('solo'), refs.pool)
    const err = await client.rename(other, 'twin').catch((e: unknown) => e)
    expect(isFault(err, 'DuplicateName')).toBe(true)
    expect(await raw().property(other, 'name')).toBe('solo')
  })
})

describe('transient failures', () => {
  it('issues a task again when it failed with TaskInProgress, and not more than needed', async () => {
    const vm = await client.createVM(refs.vmFolder, specFor('busy'), refs.pool)
    await sim().injectFault({ method: 'PowerOnVM_Task', vm: vm.value, fault: 'TaskInProgress', count: 1 })
    const before = await sim().stats()
    await client.powerOn(vm)
    expect(delta(before, await sim().stats())).toEqual({ PowerOnVM_Task: 2, RetrievePropertiesEx: 2 })
    expect(await raw().property(vm, 'runtime.powerState')).toBe('poweredOn')
  })

  it('never issues a CreateVM_Task again, even after a transient failure', async () => {
    await sim().injectFault({ method: 'CreateVM_Task', vm: 'once', fault: 'HostCommunication', count: 1 })
    const before = await sim().stats()
    const err = await client.createVM(refs.vmFolder, specFor('once'), refs.pool).catch((e: unknown) => e)
    expect(isFault(err, 'HostCommunication')).toBe(true)
    expect(delta(before, await sim().stats())['CreateVM_Task']).toBe(1)
  })

  it('sends an idempotent call again after a transient SOAP fault', async () => {
    await sim().injectFault({ method: 'FindByInventoryPath', fault: 'HostCommunication', count: 2 })
    const found = await client.findByInventoryPath(`/${refs.dc.name}/vm`)
    expect(found).toEqual(refs.vmFolder)
  })

  it('gives up on a fault that is not transient at once', async () => {
    const props = { invalidProperty: 'inventoryPath' }
    await sim().injectFault({ method: 'FindByInventoryPath', fault: 'InvalidArgument', count: 1, props })
    const before = await sim().stats()
    const err = await client.findByInventoryPath('/nowhere').catch((e: unknown) => e)
    expect(isFault(err, 'InvalidArgument')).toBe(true)
    expect((err as VimFault).fields['invalidProperty']).toBe('inventoryPath')
    expect(delta(before, await sim().stats())).toEqual({ FindByInventoryPath: 1 })
  })
})
