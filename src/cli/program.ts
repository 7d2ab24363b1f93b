/**
 * The `portlayer` command line (commander): `serve`, `migrate`, `sim` and `openapi`. Options of `serve` come from the
 * one table in config.ts, so `--help` always shows every flag with its environment variable. Exit codes: 0 done, 1 failed
 * while running, 2 bad usage or configuration.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import type { Logger } from 'pino'
import { ConfigError, configOptions, loadConfig, type ConfigFlags, type LogLevel } from '../config.js'
import { startGovcsim, type GovcsimOptions } from '../sim/launcher.js'
import { serviceVersion } from '../version.js'
import { createLogger } from './logger.js'
import { addMigrateCommand } from './migrate.js'
import type { ServeDeps } from './serve.js'
import { simBanner } from './sim.js'

export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const

export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
  /** resolves on SIGINT or SIGTERM */
  interrupted: () => Promise<NodeJS.Signals>
  logger?: (level: LogLevel) => Logger
  serveDeps?: ServeDeps
}

function integer(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`)
    }
    return Number(value)
  }
}

export function buildProgram(io: CliIo, result: { code: number }): Command {
  const makeLogger = io.logger ?? ((level: LogLevel) => createLogger(level))
  const program = new Command()
    .name('portlayer')
    .description('Manages container VMs on VMware vSphere through the vim25 SOAP API.')
    .version(serviceVersion)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)')

  const serve = program
    .command('serve')
    .description(
      'Serve the REST API and the Docker Engine API. Without --url it starts the embedded vSphere simulator (govcsim) and manages its VMs.',
    )
    .exitOverride()
  for (const option of configOptions) {
    const help = option.env ? `${option.description} [env: ${option.env}]` : option.description
    serve.addOption(new Option(option.flags, help))
  }
  serve.action(async (flags: ConfigFlags) => {
    const config = await loadConfig(flags, io.env)
    const logger = makeLogger(config.logLevel)
    // Listen for signals before starting, so one sent during start-up shuts down right after it.
    const stop = io.interrupted()
    // loaded on use: `migrate` and `sim` need neither fastify nor the container layer
    const { startServer } = await import('./serve.js')
    const server = await startServer(config, logger, io.serveDeps)
    const signal = await stop
    logger.info({ signal }, 'shutting down')
    await server.close()
    logger.info('stopped')
    result.code = exitCodes.ok
  })

  addMigrateCommand(program, io, (outcome) => (result.code = exitCodes[outcome]))

  program
    .command('sim')
    .description('Run the vSphere simulator (govcsim) on its own; prints its SDK URL, then its inventory as JSON.')
    .option('--listen <host:port>', 'listen address (default 127.0.0.1 and a free port)')
    .option('--datacenters <n>', 'datacenters', integer(1, 64))
    .option('--clusters <n>', 'clusters per datacenter', integer(0, 64))
    .option('--hosts <n>', 'hosts per cluster', integer(0, 64))
    .option('--standalone-hosts <n>', 'standalone hosts per datacenter', integer(0, 64))
    .option('--datastores <n>', 'local datastores per datacenter', integer(0, 64))
    .option('--vms <n>', 'pre-made VMs per resource pool and standalone host', integer(0, 10000))
    .option('--vsan', 'add a vSAN datastore to every datacenter')
    .option('--tls', 'serve https (with --cert/--key, or the built-in certificate)')
    .option('--cert <file>', 'PEM certificate for --tls')
    .option('--key <file>', 'PEM key for --tls')
    .option('--username <name>', 'the only user name Login accepts (with a password; default: any non-empty pair)')
    .option('--password-file <path>', 'file holding the only password Login accepts (with --username)')
    .option('--session-idle-timeout <duration>', 'expire idle sessions (Go duration, e.g. 2s)')
    .option('--tmpdir <dir>', 'parent directory of the datastore directories')
    .option('--no-compat', 'pure vcsim behaviour instead of vCenter-like fixes')
    .option('--strict', 'reject requests vCenter rejects (element order, untyped values)')
    .option('--trace', 'log SOAP traffic to stderr (secrets removed)')
    .option('--verbose', "pass vcsim's own log lines to stderr")
    .exitOverride()
    .action(async (flags: Record<string, unknown>) => {
      const options: GovcsimOptions = {
        listen: flags.listen as string | undefined,
        datacenters: flags.datacenters as number | undefined,
        clusters: flags.clusters as number | undefined,
        hosts: flags.hosts as number | undefined,
        standaloneHosts: flags.standaloneHosts as number | undefined,
        datastores: flags.datastores as number | undefined,
        vms: flags.vms as number | undefined,
        vsan: flags.vsan as boolean | undefined,
        tls: flags.tls as boolean | undefined,
        cert: flags.cert as string | undefined,
        key: flags.key as string | undefined,
        username: flags.username as string | undefined,
        sessionIdleTimeout: flags.sessionIdleTimeout as string | undefined,
        tmpdir: flags.tmpdir as string | undefined,
        compat: flags.compat as boolean,
        strict: flags.strict as boolean | undefined,
        trace: flags.trace as boolean | undefined,
        verbose: flags.verbose as boolean | undefined,
        onLog: (line) => io.err(`${line}\n`),
      }
      if (typeof flags.passwordFile === 'string') {
        const path = flags.passwordFile
        const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new ConfigError(`--password-file: cannot read ${path}: ${err.code ?? err.message}`)
        })
        options.password = text.replace(/\r?\n$/, '')
      }
      if ((options.username === undefined) !== (options.password === undefined)) {
        throw new ConfigError('--username and --password-file go together: give both or neither')
      }
      const stop = io.interrupted()
      const sim = await startGovcsim(options)
      io.out(simBanner(sim, options.password !== undefined))
      io.err('govcsim running; Ctrl-C stops it\n')
      await Promise.race([stop, sim.exited])
      await sim.stop()
      result.code = exitCodes.ok
    })

  program
    .command('openapi')
    .description("Print the REST API's OpenAPI document (the repository's openapi.json is this output)")
    .option('--out <file>', 'write it to this file instead of stdout')
    .exitOverride()
    .action(async (flags: { out?: string }) => {
      const { openapiDocument, renderOpenapi } = await import('../api/openapi.js')
      const text = renderOpenapi(await openapiDocument())
      if (flags.out) await writeFile(flags.out, text)
      else io.out(text)
      result.code = exitCodes.ok
    })

  return program
}

/** Runs the command line; resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const result = { code: exitCodes.ok }
  const program = buildProgram(io, result)
  try {
    await program.parseAsync(argv)
    return result.code
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end with exit code 0; everything else commander refuses is a usage error
      return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage
    }
    if (err instanceof ConfigError) {
      io.err(`portlayer: ${err.message}\n`)
      return exitCodes.usage
    }
    io.err(`portlayer: ${err instanceof Error ? err.message : String(err)}\n`)
    return exitCodes.failed
  }
}

