/**
 * The container's ExtraConfig layout: VIC's ExecutorConfig (lib/config/executor) as the schema language describes
 * it, plus portlayer's own hidden `hostconfig/links`. Keys, scopes and embedding follow VIC's Go tags field for
 * field; property names are ours (camelCase).
 *
 * Fields older VIC releases did not write yet (diagnostics, layer and image IDs, version, asymmetric routing,
 * domain name) are pointers, so such a container decodes with them absent and re-encodes without gaining them.
 * Not modelled, and so kept verbatim among a container's unmodelled keys: `mounts` (url.URL values, whose Go field
 * set changed between Go releases) and diagnostics' `exitlogs` (time.Time values).
 */
import {
  bool,
  bytes,
  embedded,
  int,
  int64,
  map,
  pointer,
  slice,
  string,
  struct,
  tagged,
  untagged,
  type Infer,
} from './schema.js'

/** VIC's Common: identity shared by sessions, endpoints and networks (its name is guest-visible). */
export const commonNode = struct({
  executionEnvironment: untagged('ExecutionEnvironment', string()),
  id: tagged('id', 'read-only', string()),
  name: tagged('name', 'read-only', string()),
  notes: tagged('notes', 'hidden', string()),
})

/** The container's own Common: since data version 2 its name is hidden, so it may change while the VM runs. */
export const executorCommonNode = struct({
  executionEnvironment: untagged('ExecutionEnvironment', string()),
  id: tagged('id', 'read-only', string()),
  name: tagged('name', 'hidden', string()),
  notes: tagged('notes', 'hidden', string()),
})

export const diagnosticsNode = struct({
  debugLevel: tagged('debug', 'read-only', int()),
  resurrectionCount: tagged('resurrections', 'read-write', int()),
  sysLogConfig: tagged(
    'syslog',
    'read-only',
    pointer(struct({ network: untagged('Network', string()), rAddr: untagged('RAddr', string()) })),
  ),
})

/** Go's net.IPNet: address and mask as byte strings. */
export const ipNetNode = struct({
  ip: untagged('IP', bytes()),
  mask: untagged('Mask', bytes()),
})

export const ipRangeNode = struct({
  first: tagged('first', 'read-only', bytes()),
  last: tagged('last', 'read-only', bytes()),
})

export const cmdNode = struct({
  path: tagged('Path', 'read-only', string()),
  args: tagged('Args', 'read-only', slice(string())),
  env: tagged('Env', 'read-only', slice(string())),
  dir: tagged('Dir', 'read-only', string()),
})

export const sessionNode = struct({
  common: embedded(tagged('common', 'read-only', commonNode)),
  cmd: tagged('cmd', 'read-only', cmdNode),
  attach: tagged('attach', 'read-only', bool()),
  openStdin: tagged('openstdin', 'read-only', bool()),
  runBlock: tagged('runblock', 'read-write', bool()),
  active: tagged('active', 'read-only', bool()),
  tty: tagged('tty', 'read-only', bool()),
  exitStatus: tagged('status', 'read-write', int()),
  started: tagged('started', 'read-write', string()),
  restart: tagged('restart', 'read-only', bool()),
  stopSignal: tagged('stopSignal', 'read-only', string()),
  diagnostics: tagged('diagnostics', 'read-only', diagnosticsNode),
  user: tagged('User', 'read-only', string()),
  group: tagged('Group', 'read-only', string()),
  detail: embedded(
    tagged(
      'detail',
      'read-write',
      struct({
        createTime: tagged('createtime', 'read-write', int64()),
        startTime: tagged('starttime', 'read-write', int64()),
        stopTime: tagged('stoptime', 'read-write', int64()),
      }),
    ),
  ),
})

/** The network side of an endpoint; `aliases` is the hidden `who:alias` list (see src/network/alias.ts). */
export const containerNetworkNode = struct({
  common: embedded(untagged('Common', commonNode)),
  type: tagged('type', 'read-write', string()),
  destinations: tagged('destinations', 'read-only', slice(ipNetNode)),
  gateway: tagged('gateway', 'read-only', ipNetNode),
  default: tagged('default', 'read-only', bool()),
  nameservers: tagged('dns', 'read-only', slice(bytes())),
  pools: tagged('pools', 'read-only', slice(ipRangeNode)),
  aliases: tagged('aliases', 'hidden', slice(string())),
  trustLevel: untagged('TrustLevel', int()),
  assigned: tagged(
    'assigned',
    'read-write',
    struct({
      gateway: tagged('gateway', 'read-write', ipNetNode),
      nameservers: tagged('dns', 'read-write', slice(bytes())),
    }),
  ),
})

/** A container's presence on one network; its Common names the vNIC (id = PCI slot). */
export const networkEndpointNode = struct({
  common: embedded(untagged('Common', commonNode)),
  static: tagged('static', 'read-only', bool()),
  ip: tagged('ip', 'read-only', pointer(ipNetNode)),
  assigned: tagged('assigned', 'read-write', ipNetNode),
  network: tagged('network', 'read-only', containerNetworkNode),
  ports: tagged('ports', 'read-only', slice(string())),
  internal: tagged('internal', 'read-only', bool()),
})

/** VIC's version.Build; `pluginVersion` is the data version the creating service stamped. */
export const buildNode = struct({
  version: untagged('Version', string()),
  gitCommit: untagged('GitCommit', string()),
  buildDate: untagged('BuildDate', string()),
  buildNumber: untagged('BuildNumber', string()),
  state: untagged('State', string()),
  pluginVersion: untagged('PluginVersion', int()),
})

export const executorConfigSchema = struct({
  common: embedded(tagged('common', 'read-only', executorCommonNode)),
  /** Unix time: seconds before data version 9, nanoseconds since */
  createTime: tagged('createtime', 'read-write', int64()),
  diagnostics: tagged('diagnostics', 'read-only', pointer(diagnosticsNode)),
  sessions: tagged('sessions', 'read-only', map(sessionNode)),
  execs: tagged('execs', 'read-only,non-persistent', map(sessionNode)),
  networks: tagged('networks', 'read-only', map(networkEndpointNode)),
  /** host key for the interaction endpoint (VIC's `Key`, PEM bytes) */
  hostKey: tagged('key', 'read-only', bytes()),
  layerId: tagged('layerid', 'read-only', pointer(string())),
  imageId: tagged('imageid', 'read-only', pointer(string())),
  annotations: tagged('annotations', 'hidden', map(string())),
  repo: tagged('repo', 'read-only', string()),
  version: tagged('version', 'read-only', pointer(buildNode)),
  asymRouting: tagged('asymrouting', 'read-only', pointer(bool())),
  hostname: tagged('hostname', 'read-only', string()),
  domainname: tagged('domainname', 'read-only', pointer(string())),
  /** ours: docker's HostConfig.Links (`name:alias`), hidden so a rename can re-point them on a running VM */
  hostConfig: embedded(tagged('hostconfig', 'hidden', struct({ links: tagged('links', 'hidden', slice(string())) }))),
})

/**
 * The container's Common before data version 2: VIC's read-only Common, so the name sat at a guest-visible key
 * (`guestinfo.vice./common/name`) that cannot change while the VM runs.
 */
export const legacyExecutorSchema = struct({
  common: embedded(tagged('common', 'read-only', commonNode)),
})

export type ExecutorConfig = Infer<typeof executorConfigSchema>
export type SessionConfig = Infer<typeof sessionNode>
export type NetworkEndpoint = Infer<typeof networkEndpointNode>
export type ContainerNetwork = Infer<typeof containerNetworkNode>
export type Build = Infer<typeof buildNode>
export type Diagnostics = Infer<typeof diagnosticsNode>
export type IPNet = Infer<typeof ipNetNode>
