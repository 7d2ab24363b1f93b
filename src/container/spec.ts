/**
 * The ConfigSpec of a new container VM, pure: display name, datastore folder, guest, CPUs and memory, the two
 * file-backed serial ports VIC gives every container (`output.log` for its output, `tether.debug` for the tether's
 * log) in the VM folder, and the ExtraConfig: VIC's fixed VM settings plus the encoded container.
 */
import {
  containerVmExtraConfig,
  encodeContainer,
  newContainerConfig,
  type NewContainer,
} from '../extraconfig/index.js'
import type { VirtualDeviceConfigSpec, VirtualMachineConfigSpec } from '../vim/index.js'
import { displayName, vmFolder, vmPathName } from './naming.js'

export const defaultCpus = 1
export const defaultMemoryMB = 2048
export const logFiles = { output: 'output.log', debug: 'tether.debug' } as const

export interface Placement {
  readonly datastore: string
  readonly vsan: boolean
}

export interface NewVm extends NewContainer {
  readonly cpus?: number
  readonly memoryMB?: number
}

export function createSpec(vm: NewVm, placement: Placement): VirtualMachineConfigSpec {
  const folder = vmFolder(placement.datastore, vm.id, vm.name, placement.vsan)
  const extraConfig = { ...containerVmExtraConfig, ...encodeContainer(newContainerConfig(vm)) }
  return {
    name: displayName(vm.name, vm.id),
    guestId: 'otherGuest64',
    files: { vmPathName: vmPathName(placement.datastore, vm.id, placement.vsan) },
    numCPUs: vm.cpus ?? defaultCpus,
    memoryMB: vm.memoryMB ?? defaultMemoryMB,
    deviceChange: [serialPort(-1, `${folder}/${logFiles.debug}`), serialPort(-2, `${folder}/${logFiles.output}`)],
    extraConfig: Object.entries(extraConfig)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value })),
  }
}

/** A file-backed serial port, connected at power-on; a negative key asks vSphere to assign one. */
function serialPort(key: number, fileName: string): VirtualDeviceConfigSpec {
  return {
    operation: 'add',
    device: {
      _type: 'VirtualSerialPort',
      key,
      backing: { _type: 'VirtualSerialPortFileBackingInfo', fileName },
      connectable: { startConnected: true, allowGuestControl: true, connected: false },
      yieldOnPoll: true,
    } as VirtualDeviceConfigSpec['device'],
  }
}
