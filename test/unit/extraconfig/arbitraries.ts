/**
 * fast-check generators of container configurations within what VIC's format can carry: list elements and map
 * names free of `|`, no value that is literally `<nil>`, docker-valid network names (dots and dashes included),
 * pointers either absent or holding at least one key.
 */
import fc from 'fast-check'

import {
  containerKeys,
  type ContainerConfig,
  type Diagnostics,
  type IPNet,
  type NetworkEndpoint,
  type SessionConfig,
} from '../../../src/extraconfig/index.js'

const text = fc.string({ maxLength: 12 }).filter((s) => s !== '<nil>')
const element = fc.string({ maxLength: 8 }).filter((s) => !s.includes('|') && s !== '<nil>')
const list = fc.array(element, { maxLength: 4 })
const mapName = fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !s.includes('|'))
const hex = (length: number) =>
  fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: length, maxLength: length }).map((c) => c.join(''))
const int = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
const ip = fc.uint8Array({ maxLength: 16 })

export const dockerName = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/)
/** names such as `front.net`, `a-b.c`: what separator mangling is about */
export const dottedName = fc
  .tuple(dockerName, fc.constantFrom('.', '-', '_'), fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,6}$/))
  .map(([a, sep, b]) => `${a}${sep}${b}`)
export const aliasEntry = fc
  .tuple(fc.option(dockerName, { nil: '' }), dockerName)
  .map(([who, alias]) => `${who}:${alias}`)

const ipNet: fc.Arbitrary<IPNet> = fc.record({ ip, mask: ip })
const presentIpNet: fc.Arbitrary<IPNet> = fc.record({ ip: fc.uint8Array({ minLength: 1, maxLength: 16 }), mask: ip })

const diagnostics: fc.Arbitrary<Diagnostics> = fc.record(
  {
    debugLevel: int,
    resurrectionCount: int,
    sysLogConfig: fc.record({ network: text, rAddr: text }),
  },
  { requiredKeys: ['debugLevel', 'resurrectionCount'] },
)

const session: fc.Arbitrary<SessionConfig> = fc.record({
  executionEnvironment: text,
  id: text,
  name: text,
  notes: text,
  cmd: fc.record({ path: text, args: list, env: list, dir: text }),
  attach: fc.boolean(),
  openStdin: fc.boolean(),
  runBlock: fc.boolean(),
  active: fc.boolean(),
  tty: fc.boolean(),
  exitStatus: int,
  started: text,
  restart: fc.boolean(),
  stopSignal: text,
  diagnostics,
  user: text,
  group: text,
  createTime: int64,
  startTime: int64,
  stopTime: int64,
})

const endpoint: fc.Arbitrary<NetworkEndpoint> = fc.record(
  {
    executionEnvironment: text,
    id: text,
    name: text,
    notes: text,
    static: fc.boolean(),
    ip: presentIpNet,
    assigned: ipNet,
    network: fc.record({
      executionEnvironment: text,
      id: text,
      name: text,
      notes: text,
      type: text,
      destinations: fc.array(ipNet, { maxLength: 2 }),
      gateway: ipNet,
      default: fc.boolean(),
      nameservers: fc.array(ip, { maxLength: 2 }),
      pools: fc.array(fc.record({ first: ip, last: ip }), { maxLength: 2 }),
      aliases: fc.array(aliasEntry, { maxLength: 4 }),
      trustLevel: fc.integer({ min: 0, max: 5 }),
      assigned: fc.record({ gateway: ipNet, nameservers: fc.array(ip, { maxLength: 2 }) }),
    }),
    ports: list,
    internal: fc.boolean(),
  },
  {
    requiredKeys: ['executionEnvironment', 'id', 'name', 'notes', 'static', 'assigned', 'network', 'ports', 'internal'],
  },
)

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

/** Keys no VIC structure uses, standing for VM settings and unknown VIC data. */
export const unmodeled = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).map((s) => `zz-other.${s}`),
  fc.string({ minLength: 1, maxLength: 8 }),
  { maxKeys: 3 },
)

export const containerConfig: fc.Arbitrary<ContainerConfig> = fc
  .record({
    executionEnvironment: text,
    id: hex(64),
    name: dockerName,
    notes: text,
    createTime: int64,
    diagnostics: optional(diagnostics),
    sessions: fc.dictionary(hex(8), session, { maxKeys: 2 }),
    // hidden fields cannot be non-persistent, so VIC drops an exec's notes
    execs: fc.dictionary(hex(8), session.map((exec) => ({ ...exec, notes: '' })), { maxKeys: 1 }),
    networks: fc.dictionary(fc.oneof(dockerName, dottedName), endpoint, { maxKeys: 3 }),
    hostKey: fc.uint8Array({ maxLength: 24 }),
    layerId: optional(text),
    imageId: optional(text),
    annotations: fc.dictionary(mapName, text, { maxKeys: 3 }),
    repo: text,
    version: optional(
      fc.record({
        version: text,
        gitCommit: text,
        buildDate: text,
        buildNumber: text,
        state: text,
        pluginVersion: int,
      }),
    ),
    asymRouting: optional(fc.boolean()),
    hostname: text,
    domainname: optional(text),
    links: fc.array(aliasEntry, { maxLength: 3 }),
    nameKey: fc.constantFrom(containerKeys.name, containerKeys.legacyName),
    unmodeled,
  })
  .map((config) => {
    // an absent optional field is a missing property, as decoding gives it
    for (const key of Object.keys(config) as Array<keyof typeof config>) {
      if (config[key] === undefined) delete config[key]
    }
    return config as ContainerConfig
  })
