// `portlayer serve` as a child process on an existing simulator, driven over HTTP: for tests that must kill the
// service (SIGKILL, no goodbye) and start it again, which an in-process fixture cannot do. The child runs this
// checkout's sources through tsx; its JSON log lines are kept, and the "portlayer listening" line gives its address.
//
//   const pl = await spawnPortlayer(sim)
//   await pl.request('POST', '/v1/containers', { name: 'web' })
//   await pl.kill('SIGKILL')
import { spawn } from 'node:child_process'
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

export async function spawnPortlayer(sim: Govcsim, options: { logLevel?: string } = {}): Promise<PortlayerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--url', sim.url, '--username', sim.username, '--listen', '127.0.0.1:0'],
    {
      cwd: repo,
      // the password goes through the environment, never the command line
      env: { ...process.env, PORTLAYER_VSPHERE_PASSWORD: sim.password, PORTLAYER_LOG_LEVEL: options.logLevel ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const lines: Array<Record<string, unknown>> = []
  let stderr = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const address = new Promise<string>((resolve, reject) => {
    let pending = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      const parts = pending.split('\n')
      pending = parts.pop() ?? ''
      for (const text of parts) {
        if (text.trim() === '') continue
        try {
          const line = JSON.parse(text) as Record<string, unknown>
          lines.push(line)
          if (line['msg'] === 'portlayer listening' && typeof line['address'] === 'string') resolve(line['address'])
        } catch {
          lines.push({ msg: text })
        }
      }
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    void exited.then(() => reject(new Error(`portlayer exited before listening (code ${child.exitCode}): ${stderr}`)))
    setTimeout(() => reject(new Error(`portlayer did not listen within ${startTimeoutMs} ms: ${stderr}`)), startTimeoutMs).unref()
  })
  let listening: string
  try {
    listening = await address
  } catch (err) {
    child.kill('SIGKILL')
    await exited
    throw err
  }
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
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
  }
}
