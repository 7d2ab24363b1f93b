/**
 * The service's configuration: one typed, validated value built from command-line flags, environment variables and
 * the files they name (password, token, CA bundle). Flags beat the environment, the environment beats defaults.
 * Secrets are held in `Secret`, which prints as `[redacted]` in JSON, logs and `util.inspect`, so a configuration
 * can be logged whole. Bad values raise `ConfigError` with a message naming the flag and its variable; the CLI
 * exits with code 2 on it.
 */
import { defaultLeaseTimings, leaseTimingsFor, type LeaseTimings } from './container/writer/lease.js'
import { readFile } from 'node:fs/promises'
import { inspect } from 'node:util'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
export const logLevels: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

export const defaultListen = '127.0.0.1:2377'
/** where the Docker Engine API front listens unless told otherwise (docker's own unencrypted port) */
export const defaultDockerListen = '127.0.0.1:2375'

/** A secret string: `reveal()` is the only way to read it; every printed form is `[redacted]`. */
export class Secret {
  readonly #value: string
  constructor(value: string) {
    this.#value = value
  }
  reveal(): string {
    return this.#value
  }
  toJSON(): string {
    return '[redacted]'
  }
  toString(): string {
    return '[redacted]'
  }
  [inspect.custom](): string {
    return '[redacted]'
  }
}

export interface TlsConfig {
  /** PEM certificates read from `--ca-file`, trusted in addition to the system's */
  ca?: string
  caFile?: string
  /** the server certificate's SHA-1 or SHA-256 fingerprint, upper-case hex pairs joined by `:` */
  thumbprint?: string
  /** accept any certificate (test rigs only) */
  insecure: boolean
}

export interface VsphereConfig {
  /** SDK endpoint without credentials, e.g. `https://vc.example.com/sdk` */
  url: string
  username: string
  password: Secret
  tls: TlsConfig
}

export interface ListenAddress {
  host: string
  port: number
}

/** The configuration the composition root runs on: vSphere is known (given, or the embedded simulator's). */
export interface Config {
  vsphere: VsphereConfig
  /** datastore, VM folder and resource pool for new container VMs; the first of each when absent */
  datastore?: string
  vmFolder?: string
  pool?: string
  listen: ListenAddress
  /** the Docker Engine API front's address; absent: not served (`--docker-listen off`) */
  dockerListen?: ListenAddress
  /** bearer token guarding every REST route but `/healthz` */
  token?: Secret
  logLevel: LogLevel
  /** the writer lease's timings (container/writer/lease.ts); the defaults suit vCenter, tests shorten them */
  lease?: Partial<LeaseTimings>
}

/** What flags and environment give: without a vSphere URL, `portlayer serve` starts the embedded simulator. */
export type LoadedConfig = Omit<Config, 'vsphere'> & { vsphere?: VsphereConfig }

/** Fills in the vSphere endpoint (the embedded simulator's) of a configuration that named none. */
export function withVsphere(config: LoadedConfig, vsphere: VsphereConfig): Config {
  return { ...config, vsphere }
}

/** Flags as commander hands them over (camel-cased long names); absent flags are undefined. */
export interface ConfigFlags {
  url?: string
  username?: string
  passwordFile?: string
  caFile?: string
  thumbprint?: string
  insecure?: boolean
  datastore?: string
  vmFolder?: string
  pool?: string
  listen?: string
  dockerListen?: string
  tokenFile?: string
  logLevel?: string
  leaseSeconds?: string
}

export interface ConfigOption {
  /** commander's flag syntax */
  flags: string
  key: keyof ConfigFlags
  /** the environment variable that stands in when the flag is absent */
  env?: string
  description: string
}

/** Every configuration flag with its environment variable: the CLI builds its options and `--help` from this. */
export const configOptions: readonly ConfigOption[] = [
  {
    flags: '--url <url>',
    key: 'url',
    env: 'PORTLAYER_VSPHERE_URL',
    description:
      'vCenter SDK URL (https://host/sdk; /sdk is added when the path is empty; user:password@ in it is accepted); ' +
      'absent: start the embedded simulator',
  },
  { flags: '--username <name>', key: 'username', env: 'PORTLAYER_VSPHERE_USERNAME', description: 'vSphere user name' },
  {
    flags: '--password-file <path>',
    key: 'passwordFile',
    env: 'PORTLAYER_VSPHERE_PASSWORD',
    description: 'file holding the vSphere password (the variable holds the password itself); never logged',
  },
  {
    flags: '--ca-file <path>',
    key: 'caFile',
    env: 'PORTLAYER_VSPHERE_CA_FILE',
    description: "PEM file of CA certificates to trust for vCenter's certificate",
  },
  {
    flags: '--thumbprint <hex>',
    key: 'thumbprint',
    env: 'PORTLAYER_VSPHERE_THUMBPRINT',
    description: "SHA-1 or SHA-256 fingerprint of vCenter's certificate (hex, ':' separators optional)",
  },
  {
    flags: '--insecure',
    key: 'insecure',
    env: 'PORTLAYER_VSPHERE_INSECURE',
    description: "do not verify vCenter's certificate (test rigs only; the variable takes true/false)",
  },
  {
    flags: '--datastore <name>',
    key: 'datastore',
    env: 'PORTLAYER_DATASTORE',
    description: 'datastore for container VMs (default: the first one)',
  },
  {
    flags: '--vm-folder <path>',
    key: 'vmFolder',
    env: 'PORTLAYER_VM_FOLDER',
    description: "VM folder for container VMs (default: the datacenter's VM folder)",
  },
  {
    flags: '--pool <path>',
    key: 'pool',
    env: 'PORTLAYER_POOL',
    description: 'resource pool for container VMs (default: the first one)',
  },
  {
    flags: '--listen <host:port>',
    key: 'listen',
    env: 'PORTLAYER_LISTEN',
    description: `REST listen address (default ${defaultListen}; [::1]:port for IPv6)`,
  },
  {
    flags: '--docker-listen <host:port|off>',
    key: 'dockerListen',
    env: 'PORTLAYER_DOCKER_LISTEN',
    description: `Docker Engine API address for the docker CLI and docker-compose (default ${defaultDockerListen}; off: not served)`,
  },
  {
    flags: '--token-file <path>',
    key: 'tokenFile',
    env: 'PORTLAYER_TOKEN',
    description:
      'file holding the bearer token every REST route but /healthz requires (the variable holds the token itself)',
  },
  {
    flags: '--log-level <level>',
    key: 'logLevel',
    env: 'PORTLAYER_LOG_LEVEL',
    description: `log level: ${logLevels.join(', ')} (default info)`,
  },
  {
    flags: '--lease-seconds <seconds>',
    key: 'leaseSeconds',
    env: 'PORTLAYER_LEASE_SECONDS',
    description:
      `how long a renewal of the writer lease holds (default ${defaultLeaseTimings.durationMs / 1000}); ` +
      'a standby takes over that long after the writer stopped renewing',
  },
]

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

export type ReadText = (path: string) => Promise<string>

const readUtf8: ReadText = (path) => readFile(path, 'utf8')

/** `--flag` (`ENV`), the way messages name a setting. */
function settingName(key: keyof ConfigFlags): string {
  const option = configOptions.find((o) => o.key === key)
  const flag = option?.flags.split(' ')[0] ?? key
  return option?.env ? `${flag} (${option.env})` : flag
}

/** A flag, else its environment variable; empty values count as absent so `VAR=` can switch a default back on. */
function pick(flags: ConfigFlags, env: NodeJS.ProcessEnv, key: keyof ConfigFlags): string | undefined {
  const flag = flags[key]
  if (typeof flag === 'string' && flag !== '') return flag
  const name = configOptions.find((o) => o.key === key)?.env
  const value = name ? env[name] : undefined
  return value === undefined || value === '' ? undefined : value
}

// Control characters never belong in a setting; they usually mean a pasted line ending or a broken file.
const controlChars = /[\u0000-\u001f\u007f]/

function plainText(key: keyof ConfigFlags, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (controlChars.test(value)) throw new ConfigError(`${settingName(key)}: control characters are not allowed`)
  return value
}

async function readSecretFile(key: keyof ConfigFlags, path: string, read: ReadText): Promise<string> {
  let text: string
  try {
    text = await read(path)
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw new ConfigError(`${settingName(key)}: cannot read ${path}: ${reason}`)
  }
  // Files written by editors and `echo` end with a newline that is not part of the secret.
  return text.replace(/\r?\n$/, '')
}

function parseBoolean(key: keyof ConfigFlags, value: string): boolean {
  const v = value.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(v)) return true
  if (['0', 'false', 'no', 'off'].includes(v)) return false
  throw new ConfigError(`${settingName(key)}: expected true or false, got ${JSON.stringify(value)}`)
}

export function parseListen(value: string, key: 'listen' | 'dockerListen' = 'listen'): ListenAddress {
  const example = key === 'listen' ? defaultListen : `${defaultDockerListen}, or off`
  const problem = () =>
    new ConfigError(`${settingName(key)}: expected host:port (e.g. ${example}), got ${JSON.stringify(value)}`)
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(value)
  if (!match) throw problem()
  const host = match[1] ?? match[2] ?? ''
  const port = Number(match[3])
  if (host === '' || port > 65535) throw problem()
  return { host, port }
}

/** A fingerprint in the form TLS libraries print it: upper-case hex pairs joined by `:`. */
export function parseThumbprint(value: string): string {
  const hex = value.replace(/[:\s]/g, '').toUpperCase()
  if (!/^[0-9A-F]+$/.test(hex) || (hex.length !== 40 && hex.length !== 64)) {
    throw new ConfigError(
      `${settingName('thumbprint')}: expected a SHA-1 (20 bytes) or SHA-256 (32 bytes) fingerprint in hex, ` +
        `got ${JSON.stringify(value)}`,
    )
  }
  return hex.match(/../g)!.join(':')
}

interface ParsedUrl {
  url: string
  username?: string
  password?: string
}

/** Validates the SDK URL and splits out embedded credentials, which must never be logged with it. */
export function parseVsphereUrl(value: string): ParsedUrl {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`${settingName('url')}: not a URL: expected e.g. https://vc.example.com/sdk`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${settingName('url')}: expected an http or https URL, got ${url.protocol}`)
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError(`${settingName('url')}: the SDK URL takes no query or fragment`)
  }
  const username = url.username === '' ? undefined : decodeURIComponent(url.username)
  const password = url.password === '' ? undefined : decodeURIComponent(url.password)
  url.username = ''
  url.password = ''
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/sdk'
  return { url: url.toString(), username, password }
}

/** Builds the configuration from flags, environment and the files they name. */
export async function loadConfig(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv = process.env,
  read: ReadText = readUtf8,
): Promise<LoadedConfig> {
  const logLevel = (pick(flags, env, 'logLevel') ?? 'info').toLowerCase()
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new ConfigError(
      `${settingName('logLevel')}: expected one of ${logLevels.join(', ')}, got ${JSON.stringify(logLevel)}`,
    )
  }

  const listen = parseListen(pick(flags, env, 'listen') ?? defaultListen)
  const dockerText = pick(flags, env, 'dockerListen') ?? defaultDockerListen
  const dockerListen = dockerText.trim().toLowerCase() === 'off' ? undefined : parseListen(dockerText, 'dockerListen')

  let token: Secret | undefined
  const tokenText =
    flags.tokenFile !== undefined && flags.tokenFile !== ''
      ? await readSecretFile('tokenFile', flags.tokenFile, read)
      : pick({}, env, 'tokenFile')
  if (tokenText !== undefined) {
    // The token travels in an HTTP header, so only visible ASCII can be compared reliably.
    if (!/^[\x21-\x7e]{1,4096}$/.test(tokenText)) {
      throw new ConfigError(
        `${settingName('tokenFile')}: the token must be 1 to 4096 visible ASCII characters (no spaces)`,
      )
    }
    token = new Secret(tokenText)
  }

  return withoutUndefined({
    vsphere: await loadVsphere(flags, env, read),
    datastore: plainText('datastore', pick(flags, env, 'datastore')),
    vmFolder: plainText('vmFolder', pick(flags, env, 'vmFolder')),
    pool: plainText('pool', pick(flags, env, 'pool')),
    listen,
    dockerListen,
    token,
    logLevel: logLevel as LogLevel,
    lease: leaseSeconds(pick(flags, env, 'leaseSeconds')),
  })
}

function leaseSeconds(value: string | undefined): Partial<LeaseTimings> | undefined {
  if (value === undefined) return undefined
  const seconds = Number(value)
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(seconds >= 1 && seconds <= 600))
    throw new ConfigError(`${settingName('leaseSeconds')}: expected a number of seconds from 1 to 600, got ${JSON.stringify(value)}`)
  return leaseTimingsFor(seconds * 1000)
}

/** Settings that were not given are left out, so a logged configuration shows only what is set. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

async function loadVsphere(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv,
  read: ReadText,
): Promise<VsphereConfig | undefined> {
  const rawUrl = pick(flags, env, 'url')
  if (rawUrl === undefined) return undefined
  const parsed = parseVsphereUrl(rawUrl)

  const username = plainText('username', pick(flags, env, 'username')) ?? parsed.username
  if (username === undefined) {
    throw new ConfigError(
      `vSphere user name missing: set ${settingName('username')} or put user@ in the URL`,
    )
  }
  let password: string | undefined
  if (flags.passwordFile !== undefined && flags.passwordFile !== '') {
    password = await readSecretFile('passwordFile', flags.passwordFile, read)
  } else {
    password = pick({}, env, 'passwordFile') ?? parsed.password
  }
  if (password === undefined || password === '') {
    throw new ConfigError(`vSphere password missing: set ${settingName('passwordFile')} or put it in the URL`)
  }

  const insecureFlag = flags.insecure === true ? true : undefined
  const insecureEnv = env.PORTLAYER_VSPHERE_INSECURE
  const insecure =
    insecureFlag ?? (insecureEnv !== undefined && insecureEnv !== '' ? parseBoolean('insecure', insecureEnv) : false)

  const thumbprintText = pick(flags, env, 'thumbprint')
  const thumbprint = thumbprintText === undefined ? undefined : parseThumbprint(thumbprintText)

  const caFile = pick(flags, env, 'caFile')
  let ca: string | undefined
  if (caFile !== undefined) {
    try {
      ca = await read(caFile)
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      throw new ConfigError(`${settingName('caFile')}: cannot read ${caFile}: ${reason}`)
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(`${settingName('caFile')}: ${caFile} holds no PEM certificate`)
    }
  }

  if (insecure && (thumbprint !== undefined || ca !== undefined)) {
    throw new ConfigError(
      `${settingName('insecure')} turns certificate checks off; it cannot be combined with ` +
        `${settingName('thumbprint')} or ${settingName('caFile')}`,
    )
  }

  const tls = withoutUndefined({ ca, caFile, thumbprint, insecure })
  return { url: parsed.url, username, password: new Secret(password), tls }
}
