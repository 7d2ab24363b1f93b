/**
 * The body of docker's `POST /containers/create`, pure: each field checked for its type (docker's daemon refuses a
 * wrong type with 400 too), the ones portlayer keeps taken out (docker-config.ts), and every other field required
 * to be absent or at its default — a value portlayer cannot honour is refused naming the field, never dropped.
 * Clients send many fields at their zero value (`"Privileged": false`, `"Binds": null`, `"ConsoleSize": [0, 0]`),
 * so a zero value anywhere counts as absent.
 */
import type { DockerConfig } from '../container/docker-config.js'
import { badRequest, cannotHonour } from './errors.js'

export interface ParsedCreate {
  image: string
  hostname?: string
  config: DockerConfig
  /** HostConfig.Links as `name:alias` */
  links: string[]
  /** HostConfig.NetworkMode; '' when not given */
  networkMode: string
  /** NetworkingConfig.EndpointsConfig, at most one network */
  endpoint?: { network: string; aliases: string[]; links: string[] }
}

type Json = Record<string, unknown>

/** Values that count as a field's default besides the zero values. */
const defaults: Record<string, readonly unknown[]> = {
  'HostConfig.RestartPolicy.Name': ['no'],
  'HostConfig.LogConfig.Type': ['json-file'],
  'HostConfig.CgroupnsMode': ['private', 'host'],
  'HostConfig.IpcMode': ['private', 'shareable'],
  'HostConfig.Isolation': ['default'],
  'HostConfig.MemorySwappiness': [-1],
  'HostConfig.PidsLimit': [-1],
}

/** Fields that are maps: a key in one is a request (`"ExposedPorts": {"80/tcp": {}}`), whatever its value. */
const mapFields = new Set([
  'Volumes', 'ExposedPorts', 'HostConfig.PortBindings', 'HostConfig.Sysctls', 'HostConfig.StorageOpt',
  'HostConfig.Tmpfs', 'HostConfig.Annotations',
])

/** Fields portlayer reads; everything else must be at its default. */
const handled = new Set([
  'Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'Tty', 'OpenStdin', 'StdinOnce',
  'Env', 'Cmd', 'Entrypoint', 'Image', 'WorkingDir', 'Labels', 'StopSignal', 'StopTimeout',
  'NetworkingConfig', 'HostConfig.NetworkMode', 'HostConfig.Links', 'HostConfig.Memory', 'HostConfig.NanoCpus',
  'HostConfig.LogConfig',
])

function isZero(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true
  if (Array.isArray(value)) return value.every(isZero)
  if (typeof value === 'object') return Object.values(value as Json).every(isZero)
  return false
}

/** Every field under `prefix` that is neither handled nor at a default. */
function refuseUnhandled(object: Json, prefix: string): void {
  for (const [key, value] of Object.entries(object)) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (handled.has(path)) continue
    if (mapFields.has(path) && typeof value === 'object' && value !== null && Object.keys(value).length > 0)
      throw cannotHonour(path, value)
    if (isZero(value) || defaults[path]?.includes(value)) continue
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      refuseUnhandled(value as Json, path)
      continue
    }
    throw cannotHonour(path, value)
  }
}

function wrongType(path: string, want: string): never {
  throw badRequest(`invalid JSON: ${path} must be ${want}`)
}

function object(value: unknown, path: string): Json | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) wrongType(path, 'an object')
  return value as Json
}

function string(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') wrongType(path, 'a string')
  return value
}

function boolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') wrongType(path, 'true or false')
  return value
}

function integer(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) wrongType(path, 'a whole number')
  return value
}

function strings(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) wrongType(path, 'a list of strings')
  return value as string[]
}

/** docker's strslice: a list of strings, or one string. */
function command(value: unknown, path: string): string[] | undefined {
  if (typeof value === 'string') return [value]
  return strings(value, path)
}

function stringMap(value: unknown, path: string): Record<string, string> | undefined {
  const map = object(value, path)
  if (!map) return undefined
  for (const [key, v] of Object.entries(map)) if (typeof v !== 'string') wrongType(`${path}.${key}`, 'a string')
  return map as Record<string, string>
}

const controlChars = /[\u0000-\u001f\u007f]/

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

export function parseCreateBody(body: unknown): ParsedCreate {
  const root = object(body, 'the body') ?? wrongType('the body', 'a JSON object')
  refuseUnhandled(root, '')
  const host = object(root.HostConfig, 'HostConfig') ?? {}
  const image = string(root.Image, 'Image')
  if (image === undefined || image === '') throw badRequest('Config.Image is required: name an image loaded with docker load')
  const hostname = string(root.Hostname, 'Hostname')
  if (hostname !== undefined && hostname !== '' && !/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(hostname))
    throw badRequest(`invalid hostname format: ${hostname}`)
  const env = strings(root.Env, 'Env')
  for (const entry of env ?? []) if (controlChars.test(entry)) throw badRequest('Env entries must not hold control characters')
  const memory = integer(host.Memory, 'HostConfig.Memory')
  if (memory !== undefined && memory !== 0 && (memory < 4 * 1024 * 1024 || memory % (1024 * 1024) !== 0))
    throw cannotHonour('HostConfig.Memory', memory)
  const nanoCpus = integer(host.NanoCpus, 'HostConfig.NanoCpus')
  if (nanoCpus !== undefined && nanoCpus !== 0 && (nanoCpus < 0 || nanoCpus % 1e9 !== 0))
    throw cannotHonour('HostConfig.NanoCpus', nanoCpus)
  const stopTimeout = integer(root.StopTimeout, 'StopTimeout')
  if (stopTimeout !== undefined && stopTimeout < 0) throw badRequest('StopTimeout must not be negative')
  const log = object(host.LogConfig, 'HostConfig.LogConfig') ?? {}
  const logType = string(log.Type, 'HostConfig.LogConfig.Type') ?? ''
  if (logType !== '' && logType !== 'json-file') throw cannotHonour('HostConfig.LogConfig.Type', logType)
  if (!isZero(log.Config)) throw cannotHonour('HostConfig.LogConfig.Config', log.Config)

  const config: DockerConfig = definedOnly({
    Labels: stringMap(root.Labels, 'Labels'),
    Env: env,
    Cmd: command(root.Cmd, 'Cmd'),
    Entrypoint: command(root.Entrypoint, 'Entrypoint'),
    WorkingDir: string(root.WorkingDir, 'WorkingDir'),
    User: string(root.User, 'User'),
    Domainname: string(root.Domainname, 'Domainname'),
    Hostname: hostname === '' ? undefined : hostname,
    StopSignal: string(root.StopSignal, 'StopSignal'),
    StopTimeout: stopTimeout,
    Tty: boolean(root.Tty, 'Tty'),
    OpenStdin: boolean(root.OpenStdin, 'OpenStdin'),
    StdinOnce: boolean(root.StdinOnce, 'StdinOnce'),
    AttachStdin: boolean(root.AttachStdin, 'AttachStdin'),
    AttachStdout: boolean(root.AttachStdout, 'AttachStdout'),
    AttachStderr: boolean(root.AttachStderr, 'AttachStderr'),
    Memory: memory === 0 ? undefined : memory,
    NanoCpus: nanoCpus === 0 ? undefined : nanoCpus,
    LogType: logType === '' ? undefined : logType,
  })

  const links = (strings(host.Links, 'HostConfig.Links') ?? []).map((link) => normalizeLink(link, 'HostConfig.Links'))
  const networkMode = string(host.NetworkMode, 'HostConfig.NetworkMode') ?? ''

  const networking = object(root.NetworkingConfig, 'NetworkingConfig') ?? {}
  const endpoints = object(networking.EndpointsConfig, 'NetworkingConfig.EndpointsConfig') ?? {}
  const names = Object.keys(endpoints)
  if (names.length > 1)
    throw badRequest(`Container cannot be connected to network endpoints: ${names.join(', ')}`)
  let endpoint: ParsedCreate['endpoint']
  if (names.length === 1) {
    const network = names[0]!
    const path = `NetworkingConfig.EndpointsConfig.${network}`
    const settings = object(endpoints[network], path) ?? {}
    for (const [key, value] of Object.entries(settings)) {
      if (key === 'Aliases' || key === 'Links' || key === 'NetworkID' || key === 'EndpointID') continue
      if (!isZero(value)) throw cannotHonour(`${path}.${key}`, value)
    }
    endpoint = {
      network,
      aliases: strings(settings.Aliases, `${path}.Aliases`) ?? [],
      links: (strings(settings.Links, `${path}.Links`) ?? []).map((l) => normalizeLink(l, `${path}.Links`)),
    }
  }
  return {
    image,
    ...(config.Hostname !== undefined ? { hostname: config.Hostname } : {}),
    config,
    links,
    networkMode,
    ...(endpoint ? { endpoint } : {}),
  }
}

/** `db`, `db:alias`, `/db:/self/alias` → `db:alias`. */
export function normalizeLink(link: string, path: string): string {
  const parts = link.split(':')
  if (parts.length > 2 || link === '') throw badRequest(`invalid link in ${path}: ${link}`)
  const name = (parts[0] ?? '').replace(/^\//, '')
  const alias = parts.length === 2 ? ((parts[1] ?? '').split('/').filter(Boolean).pop() ?? '') : name
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name) || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(alias))
    throw badRequest(`invalid link in ${path}: ${link}`)
  return `${name}:${alias}`
}
