/**
 * Attach: the container's network-backed serial port (URI backing, direction client) pointed at a listener's
 * `host:port` and connected, or disconnected again. The tether in the guest talks to whoever listens there (VIC's
 * interaction channel). A port that exists is reused; one is added only while the VM is off, because vSphere cannot
 * add a serial port to a running VM. On a running VM the port's connection state changes now; on a stopped one the
 * port is set to connect at the next power-on.
 *
 * The device list is not in the store, so it is read (with the changeVersion) before each change, and the change
 * is committed only against that same changeVersion: a VM that changed in between is read again.
 */
import {
  type AnyVirtualDevice,
  type VirtualDeviceConfigSpec,
  type VirtualDeviceURIBackingInfo,
  type VirtualSerialPort,
} from '../vim/index.js'
import { commit, commitAttempts, type CommitDeps } from './commit.js'
import { ContainerError } from './errors.js'
import type { OpContext } from './types.js'

const uriBacking = 'VirtualSerialPortURIBackingInfo'

/** `host:port` → `tcp://host:port`; host is a DNS name, an IPv4 address or a bracketed IPv6 address. */
export function serviceUri(address: string): string {
  const match = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?):(\d{1,5})$/.exec(address)
  const port = Number(match?.[3])
  if (!match || port < 1 || port > 65535) {
    throw new ContainerError(
      'invalid_request',
      `address must be host:port (a host name, an IPv4 address or [IPv6], and a port 1-65535), not '${address.slice(0, 300)}'`,
    )
  }
  return `tcp://${match[1]}:${port}`
}

/** The container's network serial port: the first serial port with a URI backing. */
export function networkSerialPort(devices: readonly AnyVirtualDevice[]): VirtualSerialPort | undefined {
  return devices.find(
    (d): d is VirtualSerialPort => d._type === 'VirtualSerialPort' && d.backing?._type === uriBacking,
  )
}

/** The device change that connects a port to `uri` (now when running, else at power-on); undefined when it is. */
export function attachChange(
  devices: readonly AnyVirtualDevice[],
  uri: string,
  running: boolean,
): VirtualDeviceConfigSpec | undefined {
  const port = networkSerialPort(devices)
  const backing = { _type: uriBacking, serviceURI: uri, direction: 'client' } as const
  if (!port) {
    return {
      operation: 'add',
      device: {
        _type: 'VirtualSerialPort',
        key: -1,
        backing,
        connectable: { startConnected: true, allowGuestControl: true, connected: running },
        yieldOnPoll: true,
      } as VirtualSerialPort,
    }
  }
  const current = port.backing as VirtualDeviceURIBackingInfo
  const linked = current.serviceURI === uri && current.direction === 'client'
  if (linked && port.connectable?.startConnected && (!running || port.connectable.connected)) return undefined
  return edit(port, backing, { startConnected: true, connected: running })
}

/** The device change that disconnects the network port; undefined when there is none or it is disconnected. */
export function detachChange(devices: readonly AnyVirtualDevice[]): VirtualDeviceConfigSpec | undefined {
  const port = networkSerialPort(devices)
  if (!port || (!port.connectable?.connected && !port.connectable?.startConnected)) return undefined
  return edit(port, port.backing as VirtualDeviceURIBackingInfo, { startConnected: false, connected: false })
}

/**
 * An edit of `port` sending back the fields vSphere knows it by (key, its description, controller and unit) with a
 * new backing and connection state; the read's other fields (a connection status) are the server's to set.
 */
function edit(
  port: VirtualSerialPort,
  backing: VirtualDeviceURIBackingInfo,
  state: { startConnected: boolean; connected: boolean },
): VirtualDeviceConfigSpec {
  const { serviceURI, direction, proxyURI } = backing
  return {
    operation: 'edit',
    device: {
      _type: 'VirtualSerialPort',
      key: port.key,
      ...(port.deviceInfo ? { deviceInfo: { label: port.deviceInfo.label, summary: port.deviceInfo.summary } } : {}),
      backing: { _type: uriBacking, serviceURI, direction, ...(proxyURI !== undefined ? { proxyURI } : {}) },
      connectable: { ...state, allowGuestControl: port.connectable?.allowGuestControl ?? true },
      ...(port.controllerKey !== undefined ? { controllerKey: port.controllerKey } : {}),
      ...(port.unitNumber !== undefined ? { unitNumber: port.unitNumber } : {}),
      yieldOnPoll: port.yieldOnPoll ?? true,
    } as VirtualSerialPort,
  }
}

type DeviceRead = {
  'config.changeVersion': string
  'config.hardware.device': AnyVirtualDevice[]
  'runtime.powerState': string
}

/**
 * Reads the container's devices and commits `plan`'s change against the changeVersion read with them; reads
 * again when the VM changed in between (bounded, like commit's own replays).
 */
export async function changeSerialPort(
  deps: CommitDeps,
  ref: string,
  plan: (devices: readonly AnyVirtualDevice[], running: boolean, name: string) => VirtualDeviceConfigSpec | undefined,
  op: OpContext,
): Promise<void> {
  const c = deps.store.resolve(ref)
  for (let attempt = 1; ; attempt++) {
    const { props } = await deps.client.retrieveOne<DeviceRead>(
      c.vm.moref,
      ['config.changeVersion', 'config.hardware.device', 'runtime.powerState'],
      { opId: op.opId },
    )
    if (props['runtime.powerState'] === undefined) {
      throw new ContainerError('not_found', `container ${c.name} no longer exists`)
    }
    const version = props['config.changeVersion'] ?? ''
    const change = plan(props['config.hardware.device'] ?? [], props['runtime.powerState'] === 'poweredOn', c.name)
    if (!change) return
    let moved = false
    await commit(
      deps,
      c.id,
      (snapshot) => {
        if (snapshot.vm.changeVersion === version) return { deviceChange: [change] }
        moved = true
        return undefined
      },
      op.opId,
    )
    if (!moved) return
    if (attempt >= commitAttempts) {
      throw new ContainerError('conflict', `container ${c.name} kept changing while its serial port was being set; try again`)
    }
    await deps.store.fresh(c.vm.moref, op.opId)
  }
}

export async function attachContainer(deps: CommitDeps, ref: string, address: string, op: OpContext): Promise<void> {
  const uri = serviceUri(address)
  await changeSerialPort(
    deps,
    ref,
    (devices, running, name) => {
      if (running && !networkSerialPort(devices)) {
        throw new ContainerError(
          'invalid_state',
          `container ${name} is running and has no network serial port, and vSphere cannot add one to a running VM: ` +
            'stop it, attach, then start it',
        )
      }
      return attachChange(devices, uri, running)
    },
    op,
  )
}

export async function detachContainer(deps: CommitDeps, ref: string, op: OpContext): Promise<void> {
  await changeSerialPort(deps, ref, (devices) => detachChange(devices), op)
}
