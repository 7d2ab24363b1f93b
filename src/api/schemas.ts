/**
 * The REST API's JSON schemas (typebox), one per shape of DESIGN's REST contract. They validate every request before
 * a handler runs, shape every response, and are the source of the OpenAPI document. Input bounds live here: what
 * reaches the container service has already passed them. Strings that end up in vSphere (ExtraConfig keys and
 * values in a SOAP document) are held to narrow character sets, so no control or markup character ever gets there.
 */
import { Type, type Static, type TSchema } from 'typebox'
import { nameLimit, namePattern } from '../container/naming.js'
import type { AttachRequest, ContainerEvent, ContainerView, CreateRequest, NetworkInfo } from '../container/types.js'
import { logDrivers } from '../logs/index.js'

export const limits = {
  imageLength: 255,
  networks: 16,
  networkNameLength: 128,
  aliasesPerNetwork: 32,
  aliasLength: 128,
  links: 64,
  annotations: 64,
  annotationKeyLength: 128,
  annotationValueLength: 4096,
  opIdLength: 128,
  refLength: 255,
} as const

// A container name (docker's pattern), a network name or alias (one or more such characters: no `:` or `|`, which
// VIC's alias slices use as separators), and an annotation key (no `/`, `|` or `~`, which VIC's ExtraConfig
// encoding uses as path, map and slice markers).
const word = '[a-zA-Z0-9][a-zA-Z0-9_.-]*'
const nameWord = namePattern.source.replace(/^\^/, '').replace(/\$$/, '')
export const patterns = {
  name: namePattern.source,
  id: '^[0-9a-f]{64}$',
  /** a docker image reference: registry host, path, tag and digest characters */
  image: '^[a-zA-Z0-9][a-zA-Z0-9._:/@-]*$',
  networkName: `^${word}$`,
  alias: `^${word}$`,
  link: `^${nameWord}:${word}$`,
  annotationKey: `^${word}$`,
  /** any text but control characters, markup characters, lone surrogates and the two non-characters XML refuses */
  annotationValue: '^[^\\u0000-\\u001f\\u007f<>&\\ud800-\\udfff\\ufffe\\uffff]*$',
  /** RFC 1123 host name label */
  hostname: '^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$',
  /** a container reference: full ID, ID prefix or name */
  ref: `^${word}$`,
  opId: `^[a-zA-Z0-9][a-zA-Z0-9._:-]{0,${limits.opIdLength - 1}}$`,
  /** `host:port`: a DNS name, an IPv4 address or a bracketed IPv6 address, and a port */
  address: '^(\\[[0-9a-fA-F:.]+\\]|[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?):[0-9]{1,5}$',
} as const

export const ErrorSchema = Type.Object(
  {
    code: Type.String({ description: 'stable snake_case error code', examples: ['not_found'] }),
    message: Type.String({ description: 'what went wrong and what to do next' }),
  },
  { $id: 'Error', additionalProperties: false },
)

/** Reference to the shared Error schema, for response declarations. */
export const ErrorRef = Type.Unsafe<Static<typeof ErrorSchema>>({ $ref: 'Error#' })

function map<T extends TSchema>(
  value: T,
  key: { pattern: string; maxLength: number },
  options: { maxProperties: number; description: string },
) {
  return Type.Record(Type.String(), value, { ...options, propertyNames: { type: 'string', ...key } })
}

export const EndpointRequestSchema = Type.Object(
  {
    aliases: Type.Optional(
      Type.Array(Type.String({ pattern: patterns.alias, maxLength: limits.aliasLength }), {
        maxItems: limits.aliasesPerNetwork,
        uniqueItems: true,
        description: 'network aliases of the container on this network',
      }),
    ),
  },
  { additionalProperties: false },
)

export const CreateRequestSchema = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        pattern: patterns.name,
        maxLength: nameLimit,
        description: 'container name; generated when absent',
      }),
    ),
    id: Type.Optional(Type.String({ pattern: patterns.id, description: '64 lowercase hex; generated when absent' })),
    image: Type.Optional(
      Type.String({
        pattern: patterns.image,
        minLength: 1,
        maxLength: limits.imageLength,
        description: 'image reference',
      }),
    ),
    cpus: Type.Optional(Type.Integer({ minimum: 1, maximum: 128, description: 'virtual CPUs' })),
    memoryMB: Type.Optional(
      Type.Integer({ minimum: 4, maximum: 1048576, multipleOf: 4, description: 'memory in MiB, a multiple of 4' }),
    ),
    networks: Type.Optional(
      map(
        EndpointRequestSchema,
        { pattern: patterns.networkName, maxLength: limits.networkNameLength },
        { maxProperties: limits.networks, description: 'network name → endpoint settings' },
      ),
    ),
    links: Type.Optional(
      Type.Array(Type.String({ pattern: patterns.link, maxLength: nameLimit + 1 + limits.aliasLength }), {
        maxItems: limits.links,
        uniqueItems: true,
        description: 'docker HostConfig.Links, `name:alias`',
      }),
    ),
    annotations: Type.Optional(
      map(
        Type.String({ pattern: patterns.annotationValue, maxLength: limits.annotationValueLength }),
        { pattern: patterns.annotationKey, maxLength: limits.annotationKeyLength },
        { maxProperties: limits.annotations, description: 'free-form labels (key → value)' },
      ),
    ),
    hostname: Type.Optional(Type.String({ pattern: patterns.hostname, description: 'RFC 1123 host name label' })),
  },
  { additionalProperties: false },
)

export const ContainerSchema = Type.Object(
  {
    id: Type.String(),
    shortId: Type.String(),
    name: Type.String(),
    displayName: Type.String({ description: 'the VM name: `name-shortId`, at most 80 characters' }),
    state: Type.Union([Type.Literal('created'), Type.Literal('running'), Type.Literal('stopped')]),
    image: Type.String(),
    createdAt: Type.String({ description: 'RFC 3339' }),
    dataVersion: Type.Integer({ description: 'the data version stamped in the VM (VIC PluginVersion)' }),
    renameSupported: Type.Boolean(),
    networks: Type.Record(
      Type.String(),
      Type.Object({ aliases: Type.Array(Type.String()), links: Type.Array(Type.String()) }),
    ),
    links: Type.Array(Type.String()),
    annotations: Type.Record(Type.String(), Type.String()),
    vm: Type.Object({
      moref: Type.String(),
      vmPathName: Type.String(),
      datastore: Type.String(),
      folder: Type.String(),
    }),
  },
  { $id: 'Container' },
)
/** A reference to the shared Container schema, with the response's description. */
export const containerRef = (description: string) => Type.Unsafe<ContainerView>({ $ref: 'Container#', description })

export const NetworkSchema = Type.Object(
  {
    name: Type.String(),
    endpoints: Type.Array(
      Type.Object({
        container: Type.String({ description: 'container name' }),
        id: Type.String(),
        names: Type.Array(Type.String(), { description: 'the names the container answers to on this network' }),
        links: Type.Record(Type.String(), Type.String(), {
          description: 'alias → the container it resolves to, from this container',
        }),
      }),
    ),
  },
  { $id: 'Network' },
)

export const ContainerEventSchema = Type.Object(
  {
    type: Type.Union([
      Type.Literal('create'),
      Type.Literal('rename'),
      Type.Literal('start'),
      Type.Literal('stop'),
      Type.Literal('remove'),
    ]),
    id: Type.String(),
    name: Type.String(),
    oldName: Type.Optional(Type.String({ description: 'rename only: the name before' })),
    time: Type.String({ description: 'RFC 3339' }),
  },
  { $id: 'ContainerEvent' },
)

export const RefParams = Type.Object({
  ref: Type.String({
    pattern: patterns.ref,
    maxLength: limits.refLength,
    description: 'full ID, unique ID prefix, or name',
  }),
})

export const NetworkParams = Type.Object({
  net: Type.String({ pattern: patterns.networkName, maxLength: limits.networkNameLength }),
})

export const ListQuery = Type.Object(
  { all: Type.Optional(Type.Boolean({ description: 'include containers that are not running' })) },
  { additionalProperties: false },
)

export const StopQuery = Type.Object(
  {
    timeout: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 3600, description: 'seconds the guest gets to shut down before the VM is powered off (default 10; 0: at once)' }),
    ),
  },
  { additionalProperties: false },
)

export const RemoveQuery = Type.Object(
  { force: Type.Optional(Type.Boolean({ description: 'stop a running container first' })) },
  { additionalProperties: false },
)

export const RenameQuery = Type.Object(
  { name: Type.String({ pattern: patterns.name, maxLength: nameLimit, description: 'the new name' }) },
  { additionalProperties: false },
)

const logTime = (what: string) =>
  Type.String({
    maxLength: 40,
    description: `${what}: unix seconds, a fraction allowed (1700000000.5), or RFC 3339 (2023-11-14T22:13:20Z); 0 is no bound`,
  })

/**
 * The logs query. Parameters beyond these are options of the chosen format: the format's driver accepts or refuses
 * them (`invalid_log_option`), as docker's log drivers validate their own options.
 */
export const LogsQuery = Type.Object(
  {
    since: Type.Optional(logTime('only entries written after this time')),
    until: Type.Optional(logTime('only entries written up to this time')),
    tail: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'only the last N entries of the file (lines, for a data-version-0 container), counted over both streams ' +
          'before since, until, stdout and stderr filter them, as docker counts; default all',
      }),
    ),
    follow: Type.Optional(
      Type.Boolean({ description: 'keep streaming new output until the client leaves or the container stops' }),
    ),
    stdout: Type.Optional(Type.Boolean({ description: 'include what the container wrote to stdout; default true' })),
    stderr: Type.Optional(Type.Boolean({ description: 'include what the container wrote to stderr; default true' })),
    format: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          'output format (default raw): ' +
          logDrivers
            .names()
            .map((n) => `\`${n}\`, ${logDrivers.get(n)?.description ?? ''}`)
            .join('; '),
      }),
    ),
    timestamps: Type.Optional(
      Type.Boolean({ description: "raw format: prefix each entry with its time (RFC 3339, nanoseconds) and a space" }),
    ),
  },
  { additionalProperties: Type.String({ maxLength: 256 }) },
)

/** One line of the json-file log format, as docker's json-file driver writes it. */
export const JsonFileLogLineSchema = Type.Object(
  {
    log: Type.String({ description: 'the message, as UTF-8, with its newline' }),
    stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
    time: Type.String({ description: 'when it was written: RFC 3339 with up to nine fraction digits, UTC' }),
  },
  { $id: 'JsonFileLogLine' },
)

export const AttachRequestSchema = Type.Object(
  {
    address: Type.String({
      pattern: patterns.address,
      maxLength: 262,
      description: '`host:port` the serial port connects to (direction client), e.g. a serial port concentrator',
    }),
  },
  { additionalProperties: false },
)

export const OpIdHeaders = Type.Object({
  'op-id': Type.Optional(
    Type.String({
      pattern: patterns.opId,
      description:
        'operation ID: sent to vSphere as operationID and logged as opId; generated when absent; ' +
        'echoed in the response',
    }),
  ),
})

export const HealthSchema = Type.Object(
  { status: Type.Literal('ok'), version: Type.String() },
  { description: 'the process serves requests' },
)
export const ReadySchema = Type.Object({ status: Type.Literal('ready') }, { description: 'vSphere answered recently' })

/** Shared schemas, registered once so routes and the OpenAPI document refer to them by name. */
export const sharedSchemas = [ErrorSchema, ContainerSchema, NetworkSchema, ContainerEventSchema, JsonFileLogLineSchema]

// The schemas must describe exactly the contract's shapes; these fail to compile when the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const assertSame = <T extends true>(): T | undefined => undefined
assertSame<Same<Static<typeof CreateRequestSchema>, CreateRequest>>()
assertSame<Same<Static<typeof ContainerSchema>, ContainerView>>()
assertSame<Same<Static<typeof NetworkSchema>, NetworkInfo>>()
assertSame<Same<Static<typeof AttachRequestSchema>, AttachRequest>>()
assertSame<Same<Static<typeof ContainerEventSchema>['type'], ContainerEvent['type']>>()
