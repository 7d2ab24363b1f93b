// Starts govcsim (govmomi's vCenter simulator behind portlayer's compat and strict layers, see govcsim/) as a
// child process and hands back its SDK URL, its inventory and its control endpoints (round-trip counts, fault
// injection). `portlayer serve` uses it for an embedded simulator and the integration tests for a real vSphere
// endpoint per test file, so it holds no test-only code.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { accessSync, constants, existsSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Options mirror govcsim's flags (camelCase). Unset options keep govcsim's defaults. */
export interface GovcsimOptions {
  /** Listen address; default 127.0.0.1:0 (a free port). */
  listen?: string
  datacenters?: number
  clusters?: number
  /** Hosts per cluster. */
  hosts?: number
  standaloneHosts?: number
  /** Local datastores LocalDS_N per datacenter. */
  datastores?: number
  /** Pre-made VMs per resource pool and per standalone host (vcsim powers them on). Default 0. */
  vms?: number
  /** Add a `vsanDatastore` (summary.type "vsan") to every datacenter. */
  vsan?: boolean
  tls?: boolean
  /** PEM certificate and key for TLS; without them govcsim uses vcsim's built-in certificate. */
  cert?: string
  key?: string
  /** With both set, Login accepts only this pair; otherwise any non-empty pair. */
  username?: string
  password?: string
  /** Expire idle sessions: a Go duration ("2s") or milliseconds. */
  sessionIdleTimeout?: string | number
  /** With compat, how long a completed task stays readable: a Go duration ("10m", the default) or milliseconds; 0 keeps every task. */
  taskLifetime?: string | number
  /** Parent directory of the datastore directories; e.g. /dev/shm for speed. */
  tmpdir?: string
  /** Behave like vCenter where vcsim differs (default true); false gives pure vcsim 0.24.2. */
  compat?: boolean
  /** Reject what vCenter rejects: data-object elements out of WSDL order, untyped anyType values. */
  strict?: boolean
  /** Log SOAP traffic to stderr (secrets removed); see onLog. */
  trace?: boolean
  /** Let vcsim's own log lines through to stderr. */
  verbose?: boolean
  /** Serve Go's profiler (/debug/pprof/) on this loopback address, e.g. "127.0.0.1:0"; its address is logged. */
  pprof?: string
  /** Binary to run; default govcsim/bin/govcsim, built by govcsim/build.sh when missing. */
  binary?: string
  /** How long to wait for the simulator to be ready. Default 60 s (a first build takes longer than a start). */
  startTimeoutMs?: number
  /** Receives each stderr line (logs, trace). */
  onLog?: (line: string) => void
}

export interface GovcsimInventory {
  /** SDK URL without credentials. */
  url: string
  username: string
  password: string
  tls: boolean
  compat: boolean
  strict: boolean
  pid: number
  datacenters: DatacenterInventory[]
}

export interface DatacenterInventory {
  name: string
  moref: string
  vmFolder: string
  hostFolder: string
  datastoreFolder: string
  networkFolder: string
  datastores: DatastoreInventory[]
  clusters: NamedRef[]
  hosts: NamedRef[]
  resourcePools: ResourcePoolInventory[]
  networks: NamedRef[]
  vms: NamedRef[]
}

export interface DatastoreInventory {
  name: string
  moref: string
  /** summary.type: "OTHER" for a local datastore, "vsan" for the -vsan one. */
  type: string
  /** The local directory behind the datastore. */
  path: string
}

export interface NamedRef {
  name: string
  moref: string
}

export interface ResourcePoolInventory extends NamedRef {
  /** Inventory path, e.g. /DC0/host/DC0_C0/Resources. */
  path: string
}

/** A fault to inject: the next `count` calls of `method` (on VM `vm`, by name or moref) fail with `fault`. */
export interface FaultRule {
  method: string
  vm?: string
  /** A vim fault type name, e.g. HostCommunication, ConcurrentAccess. */
  fault: string
  /** Default 1; -1 fails every matching call until clearFaults(). */
  count?: number
  /** faultstring for non-task methods. */
  message?: string
  /** Fields of the fault, e.g. { name: 'x' } for DuplicateName. */
  props?: Record<string, unknown>
}

export interface FaultRuleState extends FaultRule {
  id: number
  /** Calls still to fail (-1: unlimited). */
  count: number
  /** Calls failed so far. */
  hits: number
}

export interface GovcsimExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface Govcsim {
  /** SDK URL without credentials, e.g. http://127.0.0.1:40123/sdk. */
  readonly url: string
  readonly username: string
  readonly password: string
  readonly inventory: GovcsimInventory
  readonly pid: number
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<GovcsimExit>
  /** SOAP requests per method since start or the last resetStats(). */
  stats(): Promise<Record<string, number>>
  resetStats(): Promise<void>
  injectFault(rule: FaultRule): Promise<FaultRuleState>
  faults(): Promise<FaultRuleState[]>
  clearFaults(): Promise<void>
  /** The last lines the process wrote to stderr. */
  stderrTail(): string
  /** SIGTERM, then wait for the exit (SIGKILL after a grace period). */
  stop(): Promise<void>
}

const stderrTailLines = 200
const stopGraceMs = 10_000

export async function startGovcsim(opts: GovcsimOptions = {}): Promise<Govcsim> {
  const binary = opts.binary ?? (await builtBinary())
  const child = spawn(binary, govcsimArgs(opts), { stdio: ['pipe', 'pipe', 'pipe'] })
  const sim = new GovcsimProcess(child, opts.onLog)
  try {
    const inventory = await sim.ready(opts.startTimeoutMs ?? 60_000)
    return sim.handle(inventory)
  } catch (err) {
    await sim.kill()
    throw err
  }
}

/** The flags for govcsim, in its single-dash Go style. */
export function govcsimArgs(opts: GovcsimOptions): string[] {
  const args = ['-exit-with-stdin']
  const value = (flag: string, v: string | number | undefined): void => {
    if (v !== undefined) args.push(`-${flag}=${v}`)
  }
  const bool = (flag: string, v: boolean | undefined): void => {
    if (v !== undefined) args.push(`-${flag}=${v}`)
  }
  value('listen', opts.listen)
  value('datacenters', opts.datacenters)
  value('clusters', opts.clusters)
  value('hosts', opts.hosts)
  value('standalone-hosts', opts.standaloneHosts)
  value('datastores', opts.datastores)
  value('vms', opts.vms)
  bool('vsan', opts.vsan)
  bool('tls', opts.tls)
  value('cert', opts.cert)
  value('key', opts.key)
  value('username', opts.username)
  value('password', opts.password)
  const idle = opts.sessionIdleTimeout
  value('session-idle-timeout', typeof idle === 'number' ? `${idle}ms` : idle)
  const lifetime = opts.taskLifetime
  value('task-lifetime', typeof lifetime === 'number' ? `${lifetime}ms` : lifetime)
  value('tmpdir', opts.tmpdir)
  bool('compat', opts.compat)
  bool('strict', opts.strict)
  bool('trace', opts.trace)
  bool('verbose', opts.verbose)
  value('pprof', opts.pprof)
  return args
}

/** govcsim/bin/govcsim of this checkout, built first when it is missing. */
async function builtBinary(): Promise<string> {
  const dir = govcsimDir()
  const binary = path.join(dir, 'bin', 'govcsim')
  if (!existsSync(binary)) {
    await new Promise<void>((resolve, reject) => {
      execFile('bash', [path.join(dir, 'build.sh')], { maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
        if (err) reject(new Error(`govcsim/build.sh failed: ${stderr.trim() || err.message}`))
        else resolve()
      })
    })
  }
  return binary
}

/** The govcsim/ directory, found upwards from this module (src/sim or dist/src/sim). */
function govcsimDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = path.join(dir, 'govcsim')
    if (existsSync(path.join(candidate, 'build.sh'))) return candidate
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('cannot find govcsim/build.sh above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
}

/** Watches one govcsim process: its two start-up lines, its stderr tail, its exit. */
class GovcsimProcess {
  private readonly tail: string[] = []
  private stdout = ''
  readonly exited: Promise<GovcsimExit>

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly onLog?: (line: string) => void,
  ) {
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }))
      child.on('error', () => resolve({ code: null, signal: null }))
    })
    // stdin stays open: govcsim exits when it closes, so a crashed parent leaves no simulator behind.
    child.stdin.on('error', () => {})
    let partial = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) this.log(line)
    })
    child.stderr.on('end', () => {
      if (partial) this.log(partial)
    })
  }

  /** Resolves with the inventory once both start-up lines (SDK URL, inventory JSON) are out. */
  ready(timeoutMs: number): Promise<GovcsimInventory> {
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        cleanup()
        const tail = this.stderrTail()
        reject(new Error(`govcsim did not start: ${why}` + (tail ? `\n${tail}` : '')))
      }
      const onData = (chunk: string): void => {
        this.stdout += chunk
        const lines = this.stdout.split('\n')
        if (lines.length < 3) return
        cleanup()
        try {
          resolve(JSON.parse(lines[1] ?? '') as GovcsimInventory)
        } catch (err) {
          reject(new Error(`govcsim wrote an unreadable inventory: ${(err as Error).message}`))
        }
      }
      // 'close' comes after stderr has drained, so the reason is in the tail by then.
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        fail(signal ? `killed by ${signal}` : `exited with code ${code}`)
      }
      const onError = (err: Error): void => fail(err.message)
      const timer = setTimeout(() => fail(`no start-up lines within ${timeoutMs} ms`), timeoutMs)
      const cleanup = (): void => {
        clearTimeout(timer)
        this.child.stdout.off('data', onData)
        this.child.off('close', onExit)
        this.child.off('error', onError)
      }
      this.child.stdout.setEncoding('utf8')
      this.child.stdout.on('data', onData)
      this.child.once('close', onExit)
      this.child.once('error', onError)
    })
  }

  handle(inventory: GovcsimInventory): Govcsim {
    // Nothing else is expected on stdout; keep the pipe drained regardless.
    this.child.stdout.resume()
    const control = new ControlClient(inventory.url)
    return {
      url: inventory.url,
      username: inventory.username,
      password: inventory.password,
      inventory,
      pid: inventory.pid,
      exited: this.exited,
      stats: () => control.json<Record<string, number>>('GET', '/govcsim/stats'),
      resetStats: () => control.send('DELETE', '/govcsim/stats'),
      injectFault: (rule) => control.json<FaultRuleState>('POST', '/govcsim/faults', rule),
      faults: () => control.json<FaultRuleState[]>('GET', '/govcsim/faults'),
      clearFaults: () => control.send('DELETE', '/govcsim/faults'),
      stderrTail: () => this.stderrTail(),
      stop: () => this.stop(),
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), stopGraceMs)
    await this.exited
    clearTimeout(timer)
    this.child.stdin.destroy()
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exited
    this.child.stdin.destroy()
  }

  stderrTail(): string {
    return this.tail.join('\n')
  }

  private log(line: string): void {
    this.tail.push(line)
    if (this.tail.length > stderrTailLines) this.tail.shift()
    this.onLog?.(line)
  }
}

/** JSON calls to govcsim's /govcsim/* endpoints on the simulator's own port. */
class ControlClient {
  private readonly base: URL

  constructor(sdkUrl: string) {
    this.base = new URL(sdkUrl)
  }

  async json<T>(method: string, pathname: string, body?: unknown): Promise<T> {
    const text = await this.request(method, pathname, body)
    return JSON.parse(text) as T
  }

  async send(method: string, pathname: string): Promise<void> {
    await this.request(method, pathname)
  }

  private request(method: string, pathname: string, body?: unknown): Promise<string> {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const url = new URL(pathname, this.base)
    const transport = url.protocol === 'https:' ? https : http
    return new Promise((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method,
          // The simulator's certificate is self-signed; this client only ever talks to the process it started.
          rejectUnauthorized: false,
          headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (text += chunk))
          res.on('end', () => {
            const status = res.statusCode ?? 0
            if (status >= 200 && status < 300) resolve(text)
            else reject(new Error(`govcsim ${method} ${pathname}: HTTP ${status} ${text.trim()}`))
          })
        },
      )
      req.on('error', reject)
      req.end(payload)
    })
  }
}

/** /dev/shm when writable: VM creation in vcsim is mostly file-system calls, about three times faster on tmpfs. */
export function memoryTmpdir(): string | undefined {
  try {
    accessSync('/dev/shm', constants.W_OK)
    return '/dev/shm'
  } catch {
    return undefined
  }
}
