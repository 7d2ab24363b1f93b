// A fleet of container VMs as VIC left them, made in the simulator with raw SOAP (not with portlayer, whose
// create writes only the current layout): each VM carries one of the golden ExtraConfig vectors, re-keyed to a
// container ID and name of its own, so the migration tests and bench/migrate.ts start from real VIC data.
// The independent read-back is here too: raw SOAP again, so nothing of portlayer's client judges its own work.
import { createHash } from 'node:crypto'
import pLimit from 'p-limit'
import type { DatacenterInventory } from '../../../src/sim/launcher.js'
import { expectOk, type MoRef, type RawSoap } from '../../helpers/raw-soap.js'
import { fixture, type VicFixture } from '../../helpers/vic-fixtures.js'

/** legacy v0 (no version stamp), legacy v1 (name only guest-visible), current v4 and v10 (nothing to write) */
export type FleetKind = 'legacy-v0' | 'legacy-v1' | 'current-v4' | 'current-v10'

const fixtureOf: Record<FleetKind, string> = {
  'legacy-v0': 'legacy-no-version',
  'legacy-v1': 'legacy-v1-bridge',
  'current-v4': 'current-no-networks',
  'current-v10': 'current-web-bridge',
}

export interface FleetVm {
  readonly kind: FleetKind
  readonly id: string
  /** the container name */
  readonly name: string
  readonly displayName: string
  readonly moref: MoRef
  readonly running: boolean
  /** the ExtraConfig the VM was created with (vcsim adds `govcsim=TRUE` to it) */
  readonly extraConfig: ReadonlyMap<string, string>
}

export interface FleetOptions {
  readonly count: number
  /** the kind of VM i */
  readonly kind: (i: number) => FleetKind
  /** whether VM i is powered on */
  readonly running?: (i: number) => boolean
  /** names and IDs differ between fleets of one simulator */
  readonly prefix?: string
  /** the VM folder (default: the datacenter's) and the pool (default: the first) */
  readonly folder?: string
  readonly pool?: string
  readonly concurrency?: number
}

export function isLegacy(kind: FleetKind): boolean {
  return kind.startsWith('legacy')
}

/** The kinds in thirds: legacy v0, legacy v1, current (v10 and v4 alternating). */
export function thirds(i: number): FleetKind {
  const third = i % 3
  if (third === 0) return 'legacy-v0'
  if (third === 1) return 'legacy-v1'
  return Math.floor(i / 3) % 2 === 0 ? 'current-v10' : 'current-v4'
}

export async function createFleet(soap: RawSoap, dc: DatacenterInventory, options: FleetOptions): Promise<FleetVm[]> {
  const limit = pLimit(options.concurrency ?? 16)
  const ds = dc.datastores[0]?.name ?? 'LocalDS_0'
  const folder = options.folder ?? dc.vmFolder
  const pool = options.pool ?? dc.resourcePools[0]?.moref ?? ''
  const prefix = options.prefix ?? 'c'
  const make = async (i: number): Promise<FleetVm> => {
    const kind = options.kind(i)
    const id = createHash('sha256').update(`${prefix}/${i}`).digest('hex')
    const name = `${prefix}-${kind}-${i}`
    const displayName = `${name}-${id.slice(0, 12)}`
    const extraConfig = rekey(fixture(fixtureOf[kind]), id, name)
    const outcome = await soap.task(
      soap.createVM({ type: 'Folder', value: folder }, { type: 'ResourcePool', value: pool }, {
        name: displayName,
        guestId: 'otherGuest',
        vmPathName: `[${ds}] ${id}/${id}.vmx`,
        extraConfig: [...extraConfig],
      }),
    )
    if (outcome.state !== 'success' || !outcome.result) {
      throw new Error(`creating ${displayName}: ${outcome.fault ?? outcome.state}`)
    }
    const running = options.running?.(i) ?? false
    if (running) {
      const on = await soap.task(soap.powerOn(outcome.result))
      if (on.state !== 'success') throw new Error(`powering on ${displayName}: ${on.fault ?? on.state}`)
    }
    return { kind, id, name, displayName, moref: outcome.result, running, extraConfig }
  }
  return Promise.all(Array.from({ length: options.count }, (_, i) => limit(() => make(i))))
}

/** The fixture's container under another ID and name: every key and value that names them is rewritten. */
function rekey(source: VicFixture, id: string, name: string): Map<string, string> {
  const oldId = source.expect.id
  const out = new Map<string, string>()
  for (const [key, value] of source.config) {
    let v = value.split(oldId).join(id)
    if (value === source.expect.name) v = name
    if (value === source.expect.hostname) v = id.slice(0, 12)
    out.set(key.split(oldId).join(id), v)
  }
  return out
}

/** Every VM's ExtraConfig as the simulator holds it now, read one VM per call. */
export async function readFleet(
  soap: RawSoap,
  vms: readonly FleetVm[],
  concurrency = 16,
): Promise<Map<string, Map<string, string>>> {
  const limit = pLimit(concurrency)
  const entries = await Promise.all(
    vms.map((vm) => limit(async () => [vm.moref.value, new Map(await soap.extraConfig(vm.moref))] as const)),
  )
  return new Map(entries)
}

/** The keys whose values differ between two reads of one VM: `[key, before, after]`, undefined for absent. */
export function changedKeys(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): Array<[string, string | undefined, string | undefined]> {
  const keys = new Set([...before.keys(), ...after.keys()])
  return [...keys]
    .filter((k) => before.get(k) !== after.get(k))
    .sort()
    .map((k) => [k, before.get(k), after.get(k)])
}

/** `runtime.powerState` of a VM, read with raw SOAP. */
export async function powerState(soap: RawSoap, vm: MoRef): Promise<string | undefined> {
  const reply = await soap.retrieve(vm, ['runtime.powerState'])
  expectOk(reply)
  return /<val[^>]*>([^<]*)<\/val>/.exec(reply.text)?.[1]
}
