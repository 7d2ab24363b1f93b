/**
 * A container's configuration as a typed value, decoded from and encoded to its VM's ExtraConfig.
 *
 * `ContainerConfig` is VIC's ExecutorConfig (container-schema.ts) plus two things the schema cannot say: where the
 * name lives (`nameKey`: hidden `common/name`, or `guestinfo.vice./common/name` on containers before data version
 * 2, which keep it there), and every key the schema does not model (`unmodeled`, verbatim), so that
 * `encodeContainer(decodeContainer(vm))` gives back the VM's ExtraConfig key for key. Values: `createTime` is a
 * bigint (nanoseconds do not fit a JS number), byte strings are Uint8Array.
 */
import {
  executorConfigSchema,
  networkEndpointNode,
  sessionNode,
  type Build,
  type ExecutorConfig,
  type NetworkEndpoint,
  type SessionConfig,
} from './container-schema.js'
import { containerKeys } from './container-keys.js'
import { decode } from './decode.js'
import { encode } from './encode.js'
import { zeroValue } from './schema.js'
import { escapeNil, wireEntries, wireLookup, type WireInput, type WireMap } from './wire.js'

export type ContainerConfig = ExecutorConfig & {
  /** the key the name is read from and written to: `containerKeys.name` or `containerKeys.legacyName` */
  nameKey: string
  /** keys this codec does not model (VM settings, VIC data it does not know), in wire form */
  unmodeled: WireMap
}

/** The modelled keys of a config, values decoded ('' not yet `<nil>`). */
function encodeModeled(config: ContainerConfig): Map<string, string> {
  const out = encode(executorConfigSchema, config)
  if (config.nameKey === containerKeys.legacyName) {
    out.delete(containerKeys.name)
    out.set(containerKeys.legacyName, config.name)
  }
  return out
}

export function decodeContainer(extraConfig: WireInput): ContainerConfig {
  const source = wireLookup(extraConfig)
  const tree = decode(executorConfigSchema, source) as ExecutorConfig
  let nameKey: string = containerKeys.name
  const legacyName = source(containerKeys.legacyName)
  if (source(containerKeys.name) === undefined && legacyName !== undefined) {
    nameKey = containerKeys.legacyName
    tree.name = legacyName
  }
  const config: ContainerConfig = { ...tree, nameKey, unmodeled: {} }
  const modeled = encodeModeled(config)
  for (const [key, value] of wireEntries(extraConfig)) if (!modeled.has(key)) config.unmodeled[key] = value
  return config
}

/** Every key of the container in wire form: the modelled ones (empty values as `<nil>`) over the unmodelled ones. */
export function encodeContainer(config: ContainerConfig): WireMap {
  const out: WireMap = { ...config.unmodeled }
  for (const [key, value] of encodeModeled(config)) out[key] = escapeNil(value)
  return out
}

/** The data version the creating service stamped; 0 for containers from VIC releases that stamped none. */
export function dataVersion(config: ExecutorConfig): number {
  return config.version?.pluginVersion ?? 0
}

/** Each network's hidden alias entries (`who:alias`), by network name. */
export function networkAliases(config: ExecutorConfig): Record<string, string[]> {
  return Object.fromEntries(Object.entries(config.networks).map(([name, endpoint]) => [name, endpoint.network.aliases]))
}

/** A copy of `config` with one network's alias entries replaced; the container must be on that network. */
export function withNetworkAliases<C extends ExecutorConfig>(config: C, network: string, aliases: string[]): C {
  const endpoint = config.networks[network]
  if (endpoint === undefined) throw new Error(`container ${config.id} is not on network ${network}`)
  return {
    ...config,
    networks: { ...config.networks, [network]: { ...endpoint, network: { ...endpoint.network, aliases } } },
  }
}

/** An endpoint on network `name` with nothing assigned yet. */
export function newNetworkEndpoint(
  name: string,
  init: { aliases?: string[]; ports?: string[]; type?: string } = {},
): NetworkEndpoint {
  const endpoint = zeroValue(networkEndpointNode) as NetworkEndpoint
  endpoint.name = name
  endpoint.ports = init.ports ?? []
  endpoint.network.name = name
  endpoint.network.type = init.type ?? ''
  endpoint.network.aliases = init.aliases ?? []
  return endpoint
}

export interface NewContainer {
  /** 64 lowercase hex */
  id: string
  name: string
  /** Unix nanoseconds */
  createTime: bigint
  /** the data version to stamp: the service's latest */
  dataVersion: number
  build?: Partial<Omit<Build, 'pluginVersion'>>
  repo?: string
  /** defaults to the short ID, as docker does */
  hostname?: string
  networks?: Record<string, { aliases?: string[]; ports?: string[]; type?: string }>
  /** docker HostConfig.Links, `name:alias` */
  links?: string[]
  annotations?: Record<string, string>
  cmd?: Partial<SessionConfig['cmd']>
}

/**
 * The configuration of a new container, laid out as a current VIC release would: the primary session under the
 * container ID (what VIC's tether runs), every optional field present, the name under the hidden key.
 */
export function newContainerConfig(init: NewContainer): ContainerConfig {
  const session = zeroValue(sessionNode) as SessionConfig
  session.id = init.id
  session.name = init.name
  session.cmd = { ...session.cmd, ...init.cmd }
  const base = zeroValue(executorConfigSchema) as ExecutorConfig
  return {
    ...base,
    id: init.id,
    name: init.name,
    createTime: init.createTime,
    diagnostics: { debugLevel: 0, resurrectionCount: 0 },
    sessions: { [init.id]: session },
    networks: Object.fromEntries(
      Object.entries(init.networks ?? {}).map(([name, endpoint]) => [name, newNetworkEndpoint(name, endpoint)]),
    ),
    layerId: '',
    imageId: '',
    annotations: { ...init.annotations },
    repo: init.repo ?? '',
    version: {
      version: '',
      gitCommit: '',
      buildDate: '',
      buildNumber: '',
      state: '',
      ...init.build,
      pluginVersion: init.dataVersion,
    },
    asymRouting: false,
    hostname: init.hostname ?? init.id.slice(0, 12),
    domainname: '',
    links: [...(init.links ?? [])],
    nameKey: containerKeys.name,
    unmodeled: {},
  }
}
