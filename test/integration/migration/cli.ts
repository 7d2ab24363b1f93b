// `portlayer migrate` run the way an operator runs it: the command line in this process (exit code, stdout,
// stderr captured), or the real executable as a child process that a test can kill.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runCli } from '../../../src/cli/program.js'
import type { Govcsim } from '../../../src/sim/launcher.js'
import type { JobReport } from '../../../src/migration/report.js'

export interface CliRun {
  readonly code: number
  readonly out: string
  readonly err: string
}

/** The simulator's SDK URL with its credentials in it, as `--url` accepts it; `port` points it at a proxy. */
export function sdkUrl(sim: Govcsim, port?: number): string {
  const url = new URL(sim.url)
  url.username = sim.username
  url.password = sim.password
  if (port !== undefined) url.port = String(port)
  return url.href
}

/** `portlayer migrate <args>` in this process, logs silenced. */
export async function migrate(args: readonly string[]): Promise<CliRun> {
  let out = ''
  let err = ''
  const code = await runCli(['node', 'portlayer', 'migrate', '--log-level', 'silent', ...args], {
    out: (text) => (out += text),
    err: (text) => (err += text),
    env: {},
    interrupted: () => new Promise(() => undefined),
  })
  return { code, out, err }
}

/** `portlayer migrate --json <args>`: the report, parsed. */
export async function migrateJson(args: readonly string[]): Promise<CliRun & { report: JobReport }> {
  const run = await migrate(['--json', ...args])
  if (run.code === 2) throw new Error(`usage error: ${run.err}`)
  return { ...run, report: JSON.parse(run.out) as JobReport }
}

const repo = fileURLToPath(new URL('../../../', import.meta.url))

/** The real executable (TypeScript sources through tsx) as a child process; its output is collected. */
export interface SpawnedMigrate {
  readonly child: ChildProcess
  /** stdout and stderr so far */
  readonly output: () => string
  /** the exit code, null when a signal ended it */
  readonly exited: Promise<number | null>
}

export function spawnMigrate(args: readonly string[]): SpawnedMigrate {
  let output = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'migrate', '--log-level', 'warn', ...args], {
    cwd: repo,
    // the flags alone say where and what: no setting of the developer's shell may widen or narrow the run
    env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTLAYER_'))),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}
