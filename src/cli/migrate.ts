/**
 * `portlayer migrate`: the upgrade's data migration job from the command line. It takes the connection flags of
 * `portlayer serve` (the same table in config.ts, so an operator passes the flags the service runs with), finds
 * the container VMs of the VM folder / resource pool given (every VM when neither is), and writes what the
 * migration plugins change in hidden keys. The report goes to stdout (text, or JSON with --json); logs and
 * progress go to stderr. Exit code 0: every VM done; 1: some VM failed, was left as it is because its keys
 * contradict each other (two different names), or the run was cut short; 2: bad usage.
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import pino from 'pino'
import { ConfigError, configOptions, loadConfig, type ConfigFlags } from '../config.js'
import { discoverPlugins } from '../migration/discover.js'
import { defaultConcurrency, runMigrationJob } from '../migration/job.js'
import { JobScopeError, resolveScope } from '../migration/job-scope.js'
import { jobProgress } from '../migration/progress.js'
import { renderText, succeeded } from '../migration/report.js'
import { connect } from '../vim/index.js'
import { createLogger } from './logger.js'
import type { CliIo } from './program.js'

/** The flags of `serve` that say which vSphere and which VMs; the REST ones (listen, token) do not apply. */
const connectionKeys: ReadonlySet<keyof ConfigFlags> = new Set([
  'url',
  'username',
  'passwordFile',
  'caFile',
  'thumbprint',
  'insecure',
  'vmFolder',
  'pool',
  'logLevel',
])

/** Where the job reads a flag differently from `serve` (no embedded simulator; a scope, not a placement). */
const descriptions: Partial<Record<keyof ConfigFlags, string>> = {
  url: 'vCenter SDK URL (https://host/sdk; user:password@ in it is accepted)',
  vmFolder: 'only the VMs under this VM folder, e.g. /DC0/vm/containers (default: every VM)',
  pool: 'only the VMs of this resource pool, e.g. /DC0/host/C0/Resources (default: every VM)',
}

export interface MigrateIo extends CliIo {
  /** where a progress bar is drawn when it is a TTY; default the process's stderr */
  progressStream?: NodeJS.WritableStream & { readonly isTTY?: boolean }
}

interface MigrateFlags extends ConfigFlags {
  dryRun?: boolean
  concurrency: number
  json?: boolean
}

function concurrencyOf(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new InvalidArgumentError('expected a whole number from 1 to 64')
  return n
}

/** Adds `migrate` to the program; `done` receives how the run ended. */
export function addMigrateCommand(program: Command, io: MigrateIo, done: (outcome: 'ok' | 'failed') => void): Command {
  const command = program
    .command('migrate')
    .description(
      'Upgrade the data of container VMs made by older versions: writes hidden ExtraConfig keys only (the guest ' +
        'never sees a change), decides from the keys each VM holds, leaves a VM whose keys contradict each other as ' +
        'it is (and exits 1), resumes where a stopped run left off, and writes nothing on a second run.',
    )
    .exitOverride()
  for (const option of configOptions.filter((o) => connectionKeys.has(o.key))) {
    const description = descriptions[option.key] ?? option.description
    command.addOption(new Option(option.flags, option.env ? `${description} [env: ${option.env}]` : description))
  }
  command
    .option('--dry-run', 'print what would be written to each VM and write nothing')
    .option('--concurrency <n>', 'VMs written at once (1 to 64)', concurrencyOf, defaultConcurrency)
    .option('--json', 'print the report as JSON')
    .action(async (flags: MigrateFlags) => {
      const config = await loadConfig(flags, io.env)
      if (!config.vsphere) {
        throw new ConfigError('migrate needs a vSphere endpoint: give --url (PORTLAYER_VSPHERE_URL)')
      }
      // stdout is the report's: logs go to stderr
      const logger =
        io.logger?.(config.logLevel) ?? createLogger(config.logLevel, pino.destination({ fd: 2, sync: true }))
      const client = await connect({
        url: config.vsphere.url,
        username: config.vsphere.username,
        password: config.vsphere.password.reveal(),
        tls: config.vsphere.tls,
        // one call per VM in flight, and the listing's next page beside them
        maxConcurrent: flags.concurrency + 1,
        logger,
      })
      try {
        const registry = await discoverPlugins()
        const scope = await resolveScope(client, {
          ...(config.vmFolder ? { vmFolder: config.vmFolder } : {}),
          ...(config.pool ? { pool: config.pool } : {}),
        }).catch((err: unknown) => {
          throw err instanceof JobScopeError ? new ConfigError(err.message) : err
        })
        const stop = new AbortController()
        void io.interrupted().then(() => stop.abort())
        const dryRun = flags.dryRun === true
        const progress = jobProgress({ stream: io.progressStream ?? process.stderr, write: io.err, dryRun })
        let report
        try {
          report = await runMigrationJob(client, {
            registry,
            scope,
            dryRun,
            concurrency: flags.concurrency,
            signal: stop.signal,
            log: logger,
            listener: progress,
          })
        } finally {
          progress.stop()
        }
        io.out(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report))
        done(succeeded(report) ? 'ok' : 'failed')
      } finally {
        await client.close()
      }
    })
  return command
}
