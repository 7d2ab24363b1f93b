// Reads of a govcsim that do not go through portlayer: its live inventory (`/govcsim/inventory`), the directories
// behind its datastores, a VM's properties read with the raw SOAP client, and request counts between two moments.
// Tests act through portlayer and check the simulator through these, so a bug shared by portlayer's client and
// its cache cannot hide itself.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { leaseVmName } from '../../src/container/writer/lease.js'
import type { DatastoreInventory, Govcsim, GovcsimInventory, NamedRef } from '../../src/sim/launcher.js'
import { expectOk, optionValues, unescapeXml, type MoRef, type RawSoap } from './raw-soap.js'

/** The simulator's inventory as it is now (VMs created, renamed or destroyed since start included). */
export async function liveInventory(sim: Govcsim): Promise<GovcsimInventory> {
  const res = await fetch(new URL('/govcsim/inventory', sim.url))
  if (!res.ok) throw new Error(`GET /govcsim/inventory: HTTP ${res.status}`)
  return (await res.json()) as GovcsimInventory
}

/**
 * Every VM of the first datacenter, by display name, as the simulator lists them now; the writer lease's VM, which
 * portlayer makes for itself at start, is left out unless asked for.
 */
export async function simVms(sim: Govcsim, options: { withLease?: boolean } = {}): Promise<NamedRef[]> {
  const vms = (await liveInventory(sim)).datacenters[0]?.vms ?? []
  return options.withLease ? vms : vms.filter((vm) => vm.name !== leaseVmName)
}

export async function simVm(sim: Govcsim, displayName: string): Promise<MoRef | undefined> {
  const found = (await simVms(sim)).find((vm) => vm.name === displayName)
  return found && { type: 'VirtualMachine', value: found.moref }
}

export function datastore(sim: Govcsim, name: string): DatastoreInventory {
  const found = sim.inventory.datacenters[0]?.datastores.find((ds) => ds.name === name)
  if (!found) throw new Error(`the simulator has no datastore ${name}`)
  return found
}

/** Names in the top directory of a datastore (a VM's folder shows up here). */
export function datastoreEntries(sim: Govcsim, name: string): string[] {
  return readdirSync(datastore(sim, name).path).sort()
}

/** Names in one folder of a datastore; empty when the folder does not exist. */
export function folderEntries(sim: Govcsim, ds: string, folder: string): string[] {
  try {
    return readdirSync(path.join(datastore(sim, ds).path, folder)).sort()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

/** What the simulator says about one VM, read in one RetrievePropertiesEx by the raw SOAP client. */
export interface VmFacts {
  name: string
  powerState: string
  guestId: string
  numCPU: number
  memoryMB: number
  vmPathName: string
  changeVersion: string
  /** backing file names of the file-backed serial ports, e.g. `[LocalDS_0] <id>/output.log` */
  serialFiles: string[]
  extraConfig: Map<string, string>
}

const factPaths = [
  'name',
  'runtime.powerState',
  'config.guestId',
  'config.hardware.numCPU',
  'config.hardware.memoryMB',
  'config.files.vmPathName',
  'config.changeVersion',
  'config.extraConfig',
  'config.hardware.device',
]

export async function readVm(soap: RawSoap, vm: MoRef): Promise<VmFacts> {
  const reply = await soap.retrieve(vm, factPaths)
  expectOk(reply)
  const props = propSets(reply.text)
  const text = (p: string): string => unescapeXml(props.get(p) ?? '')
  const devices = props.get('config.hardware.device') ?? ''
  const fileBacking = /<backing\b[^>]*VirtualSerialPortFileBackingInfo[^>]*>.*?<fileName>([^<]*)<\/fileName>/g
  const serialFiles = [...devices.matchAll(fileBacking)]
  return {
    name: text('name'),
    powerState: text('runtime.powerState'),
    guestId: text('config.guestId'),
    numCPU: Number(text('config.hardware.numCPU')),
    memoryMB: Number(text('config.hardware.memoryMB')),
    vmPathName: text('config.files.vmPathName'),
    changeVersion: text('config.changeVersion'),
    serialFiles: serialFiles.map((m) => unescapeXml(m[1] ?? '')),
    extraConfig: new Map(optionValues(props.get('config.extraConfig') ?? '')),
  }
}

/** Raw `<val>` content per property name of a one-object retrieve reply. */
function propSets(xml: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const m of xml.matchAll(/<propSet><name>([^<]*)<\/name>(?:<val\b[^>]*\/>|<val\b[^>]*>(.*?)<\/val>)<\/propSet>/gs)) {
    out.set(unescapeXml(m[1] ?? ''), m[2] ?? '')
  }
  return out
}

/** Calls per SOAP method between two readings of `sim.stats()`; methods with no calls are left out. */
export function statsDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [method, n] of Object.entries(after)) {
    const d = n - (before[method] ?? 0)
    if (d !== 0) out[method] = d
  }
  return out
}

/**
 * Waits until the simulator has seen no request for `quietMs` (portlayer's update loop is parked in a wait) and
 * returns the counts at that moment, the baseline for a SOAP-cost assertion.
 */
export async function quietStats(sim: Govcsim, quietMs = 400): Promise<Record<string, number>> {
  let last = await sim.stats()
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs))
    const now = await sim.stats()
    if (JSON.stringify(now) === JSON.stringify(last)) return now
    last = now
  }
}
