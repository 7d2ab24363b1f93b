/**
 * The container as the service sees it, derived from its VM (vm-state.ts): decoded with the ExtraConfig codec
 * after in-memory migration, so a container made by an older service reads like a new one. The data version is
 * the one its creator stamped (before migration): it gates rename. Writes start from the raw map, never from the
 * migrated one, so the guest's old tether keeps reading its keys as they were.
 */
import { decodeContainer } from '../extraconfig/index.js'
import { dataVersionKeys, parseVersion } from '../migration/data-version.js'
import { parseAlias } from '../network/alias.js'
import { renameSupportedVersion } from './rename/plan.js'
import { shortId } from './naming.js'
import type { ContainerState, ContainerView } from './types.js'
import type { VmState } from './vm-state.js'

export interface Container {
  readonly id: string
  readonly shortId: string
  readonly name: string
  readonly dataVersion: number
  readonly state: ContainerState
  readonly image: string
  /** Unix nanoseconds */
  readonly createTime: bigint
  /** network → the endpoint's stored alias entries (`:alias` and `name:alias`) */
  readonly networks: Readonly<Record<string, { readonly aliases: readonly string[] }>>
  readonly links: readonly string[]
  readonly annotations: Readonly<Record<string, string>>
  /** the container's session was started once (a powered-off container that never was reads `created`) */
  readonly started: boolean
  readonly vm: VmState
}

/** Turns the raw ExtraConfig map into the one to read from (in-memory migration of old data). */
export type ReadMigration = (raw: ReadonlyMap<string, string>) => ReadonlyMap<string, string>

/**
 * The container a VM holds. `previous`, the container the same VM held before: when its ExtraConfig is the same
 * (a report confirming a write, a power change) only the VM's own properties are taken anew, without decoding.
 */
export function containerFrom(vm: VmState, migrate: ReadMigration, previous?: Container): Container {
  if (previous && sameEntries(previous.vm.extraConfig, vm.extraConfig))
    return { ...previous, state: stateOf(vm.powerState, previous.started), vm }
  const config = decodeContainer(migrate(vm.extraConfig))
  const stamped = stampedVersion(vm.extraConfig)
  const started = (config.sessions[config.id]?.started ?? '') !== ''
  return {
    id: config.id,
    shortId: shortId(config.id),
    name: config.name,
    dataVersion: stamped,
    state: stateOf(vm.powerState, started),
    image: config.repo,
    createTime: config.createTime,
    networks: Object.fromEntries(
      Object.entries(config.networks).map(([net, endpoint]) => [net, { aliases: endpoint.network.aliases }]),
    ),
    links: config.links,
    annotations: config.annotations,
    started,
    vm,
  }
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a === b) return true
  if (a.size !== b.size) return false
  for (const [key, value] of a) if (b.get(key) !== value) return false
  return true
}

/** The version key as the creator wrote it, read from the raw map (an unreadable stamp counts as none). */
function stampedVersion(raw: ReadonlyMap<string, string>): number {
  const text = raw.get(dataVersionKeys.container)
  return text === undefined ? 0 : (parseVersion(text) ?? 0)
}

function stateOf(power: VmState['powerState'], started: boolean): ContainerState {
  if (power === 'poweredOn') return 'running'
  return started ? 'stopped' : 'created'
}

/** The REST view of a container; `datastore` and `folder` come from `files.vmPathName`. */
export function containerView(c: Container): ContainerView {
  const { datastore, folder } = splitVmPath(c.vm.vmPathName)
  return {
    id: c.id,
    shortId: c.shortId,
    name: c.name,
    displayName: c.vm.displayName,
    state: c.state,
    image: c.image,
    createdAt: rfc3339(c.createTime),
    dataVersion: c.dataVersion,
    renameSupported: c.dataVersion >= renameSupportedVersion,
    networks: Object.fromEntries(
      Object.entries(c.networks).map(([net, { aliases }]) => {
        const entries = aliases.map((entry) => ({ entry, parsed: parseAlias(entry) }))
        return [
          net,
          {
            aliases: entries.filter((e) => e.parsed.container === '').map((e) => e.parsed.alias),
            links: entries.filter((e) => e.parsed.container !== '').map((e) => e.entry),
          },
        ]
      }),
    ),
    links: [...c.links],
    annotations: { ...c.annotations },
    vm: { moref: c.vm.moref.value, vmPathName: c.vm.vmPathName, datastore, folder },
  }
}

/** `[ds] folder/file.vmx` → datastore and folder. */
export function splitVmPath(vmPathName: string): { datastore: string; folder: string } {
  const match = /^\[([^\]]*)\]\s*(.*)$/.exec(vmPathName)
  if (!match) return { datastore: '', folder: '' }
  const path = match[2] ?? ''
  const slash = path.lastIndexOf('/')
  return { datastore: match[1] ?? '', folder: slash < 0 ? path : path.slice(0, slash) }
}

/** createtime in nanoseconds (plugin 9 scales older containers' seconds in memory) as RFC 3339. */
function rfc3339(createTime: bigint): string {
  const date = new Date(Number(createTime / 1_000_000n))
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString()
}
