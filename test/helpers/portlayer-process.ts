// `portlayer serve` as a child process on an existing simulator, driven over HTTP: for tests that must kill the
// service (SIGKILL, no goodbye) and start it again, which an in-process fixture cannot do. The child runs this
// checkout's sources through tsx; its JSON log lines are kept, and the "portlayer listening" line gives its address.
// A test that restarts it many times loads the next one ahead with `standbyPortlayer` and starts it with `go`.
//
//   const pl = await spawnPortlayer(sim)
//   await pl.request('POST', '/v1/containers', { name: 'web' })
//   await pl.kill('SIGKILL')
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Govcsim } from '../../src/sim/launcher.js'

export interface ProcessReply {
  status: number
  /** parsed JSON, or undefined for an empty body */
  body: unknown
}

export interface PortlayerProcess {
  readonly pid: number
  /** `http://127.0.0.1:<port>` */
  readonly address: string
  /** every log line the child wrote so far, parsed */
  logs(): Array<Record<string, unknown>>
  request(method: string, path: string, body?: unknown): Promise<ProcessReply>
  /** sends `signal` (SIGTERM by default) and resolves when the child has exited */
  kill(signal?: NodeJS.Signals): Promise<void>
}

const repo = fileURLToPath(new URL('../../', import.meta.url))
const startTimeoutMs = 60_000

export interface SpawnOptions {
  logLevel?: string
  /** resolve once the process is the namespace's writer (default), or as soon as it listens (`any`) */
  role?: 'writer' | 'any'
  /** the writer lease's duration (default 2 s in tests) */
  leaseSeconds?: number
}

export async function spawnPortlayer(sim: Govcsim, options: SpawnOptions = {}): Promise<PortlayerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...serveArgs(sim)], {
    cwd: repo,
    env: serveEnv(sim, options),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return supervise(child).listening(options.role ?? 'writer')
}

/** A `portlayer serve` loaded but not started: `go` starts it (its first call to vSphere comes after `go`). */
export interface StandbyPortlayer {
  readonly pid: number
  go(): Promise<PortlayerProcess>
  /** ends it without starting it */
  kill(): Promise<void>
}

/**
 * Spawns `portlayer serve` up to the point where it would connect: node, tsx and every module are loaded (seconds
 * on a busy machine), then it waits. For crash tests that restart the service many times: the next process is
 * loaded while the current one works, and a restart costs only what `serve` itself does (connect, recover, listen).
 */
export async function standbyPortlayer(sim: Govcsim, options: { logLevel?: string } = {}): Promise<StandbyPortlayer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/standby-cli.ts', ...serveArgs(sim)], {
    cwd: repo,
    env: serveEnv(sim, options),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const supervised = supervise(child)
  await supervised.waitFor('standby')
  return {
    pid: child.pid ?? 0,
    go() {
      child.stdin?.end('go\n')
      return supervised.listening('writer')
    },
    async kill() {
      await supervised.kill('SIGKILL')
    },
  }
}

function serveArgs(sim: Govcsim): string[] {
  // the Docker API front's default port is one per machine: tests that drive it start their own (test/integration/docker)
  return ['serve', '--url', sim.url, '--username', sim.username, '--listen', '127.0.0.1:0', '--docker-listen', 'off']
}

function serveEnv(sim: Govcsim, options: SpawnOptions): NodeJS.ProcessEnv {
  // the password goes through the environment, never the command line
  // a short writer lease: a process started after one was killed takes over within seconds
  return {
    PORTLAYER_LEASE_SECONDS: '2',
    ...process.env,
    PORTLAYER_VSPHERE_PASSWORD: sim.password,
    PORTLAYER_LOG_LEVEL: options.logLevel ?? 'info',
    ...(options.leaseSeconds !== undefined ? { PORTLAYER_LEASE_SECONDS: String(options.leaseSeconds) } : {}),
  }
}

/** Keeps a child's log lines and stderr; resolves `listening` on its "portlayer listening" line. */
function supervise(child: ChildProcess): {
  waitFor(msg: string): Promise<void>
  listening(role: 'writer' | 'any'): Promise<PortlayerProcess>
  kill(signal: NodeJS.Signals): Promise<void>
} {
  const lines: Array<Record<string, unknown>> = []
  const waiters: Array<{ msg: string; resolve: () => void }> = []
  let stderr = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let pending = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk
    const parts = pending.split('\n')
    pending = parts.pop() ?? ''
    for (const text of parts) {
      if (text.trim() === '') continue
      let line: Record<string, unknown>
      try {
        line = JSON.parse(text) as Record<string, unknown>
      } catch {
        line = { msg: text }
      }
      lines.push(line)
      for (const w of waiters.filter((w) => w.msg === line['msg'])) w.resolve()
    }
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await exited
  }
  const waitFor = (msg: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (lines.some((l) => l['msg'] === msg)) return resolve()
      waiters.push({ msg, resolve })
      void exited.then(() => reject(new Error(`portlayer exited before "${msg}" (code ${child.exitCode}): ${stderr}`)))
      const late = (): void => reject(new Error(`portlayer did not say "${msg}" within ${startTimeoutMs} ms: ${stderr}`))
      setTimeout(late, startTimeoutMs).unref()
    }).catch(async (err: unknown) => {
      await kill('SIGKILL')
      throw err
    })
  return {
    waitFor,
    kill,
    async listening(role) {
      await waitFor('portlayer listening')
      // a process started after its writer was killed serves as a standby until the lease lapses, then takes over
      // (settling what the dead one left)
      if (role === 'writer') await waitFor('writer of the namespace')
      const listening = lines.find((l) => l['msg'] === 'portlayer listening')?.['address']
      if (typeof listening !== 'string') throw new Error('portlayer said it listens, but not where')
      return {
        pid: child.pid ?? 0,
        address: listening,
        logs: () => [...lines],
        async request(method, path, body) {
          const res = await fetch(new URL(path, listening), {
            method,
            ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
          })
          const text = await res.text()
          return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) }
        },
        kill: (signal = 'SIGTERM') => kill(signal),
      }
    },
  }
}
