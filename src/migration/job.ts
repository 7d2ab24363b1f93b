/**
 * The upgrade migration job (`portlayer migrate`): lists the VMs of a scope page by page, runs each VIC VM through
 * the executor with bounded concurrency, and gathers the report.
 *
 * Memory does not grow with the number of VMs beyond the report (a few hundred bytes per VIC VM), and a page costs
 * little more than its VMs' plans: the listing decodes one VM at a time as its page arrives (job-inventory.ts),
 * each VM is planned as soon as it is decoded and only its plan is kept (job-plan.ts, PlannedVm), and the next
 * page is fetched while the current one is written, never further ahead. Progress lives in vSphere itself (the
 * migration record written with the data), so the job keeps no state of its own: killed at any point, it is simply
 * run again. Stopped through `signal`, it starts no new VM, lets the writes in flight finish and reports
 * `interrupted`.
 */
import pLimit from 'p-limit'
import type { Logger } from 'pino'
import type { VimClient } from '../vim/index.js'
import { defaultMaxAttempts, lostVsphere, VmMigrator } from './job-executor.js'
import { defaultPageSize, JobInventory, listingKeys } from './job-inventory.js'
import { plannedVm, type PlannedVm } from './job-plan.js'
import type { JobScope } from './job-scope.js'
import type { PluginRegistry } from './registry.js'
import { countResult, emptyTotals, type JobReport, type JobTotals, type VmResult } from './report.js'

export const defaultConcurrency = 8

/** Told about the run as it goes (progress display). */
export interface JobListener {
  /** the number of VMs the job will examine, known before the first page */
  onTotal?(total: number): void
  /** after each VM; `totals` is the running count */
  onVm?(totals: Readonly<JobTotals>, result: VmResult | undefined): void
}

export interface JobOptions {
  readonly registry: PluginRegistry
  readonly scope: JobScope
  readonly dryRun?: boolean
  /** VMs written at once */
  readonly concurrency?: number
  readonly maxAttempts?: number
  readonly pageSize?: number
  readonly signal?: AbortSignal
  readonly log: Logger
  readonly listener?: JobListener
}

export async function runMigrationJob(client: VimClient, options: JobOptions): Promise<JobReport> {
  const started = performance.now()
  const { registry, scope, signal, log, listener } = options
  const dryRun = options.dryRun ?? false
  const keys = listingKeys(registry)
  const inventory = new JobInventory(client, keys)
  const migrator = new VmMigrator({
    registry,
    vms: inventory,
    dryRun,
    maxAttempts: options.maxAttempts ?? defaultMaxAttempts,
    log,
  })
  const limit = pLimit(options.concurrency ?? defaultConcurrency)
  const totals = emptyTotals()
  const results: VmResult[] = []
  let interrupted = false

  const examine = async (vm: PlannedVm): Promise<void> => {
    if (signal?.aborted) {
      interrupted = true
      return
    }
    let result: VmResult | undefined
    try {
      result = await migrator.run(vm)
    } catch (err) {
      throw stopping(err)
    }
    totals.examined++
    if (result) {
      countResult(totals, result)
      results.push(result)
    } else {
      totals.ignored++
    }
    listener?.onVm?.(totals, result)
  }

  log.info({ scope: scope.description, dryRun }, 'migration job started')
  let previousPage: Promise<unknown> = Promise.resolve()
  const pages = inventory.pages(scope, (vm) => plannedVm(registry, vm), {
    // not the signal: a stopped run still reports what it did, so the listing ends between pages, below
    pageSize: options.pageSize ?? defaultPageSize,
    onTotal: (total) => listener?.onTotal?.(total),
  })
  try {
    for (;;) {
      // the next page is fetched while this one is written, never further ahead
      let page: PlannedVm[] | undefined
      try {
        page = (await pages.next()).value ?? undefined
      } catch (err) {
        // the writes in flight finish first; a listing that lost vSphere ends the run as a write that lost it does
        await previousPage.catch(() => undefined)
        throw stopping(err)
      }
      if (page === undefined) break
      await previousPage
      if (signal?.aborted) {
        interrupted = true
        break
      }
      previousPage = Promise.all(page.map((vm) => limit(() => examine(vm))))
      // a failure is taken up by the await above; until then it must not count as unhandled
      previousPage.catch(() => undefined)
      // each VM is held by its own task until written; the page itself must not outlive the next fetch
      page = undefined
    }
    await previousPage
  } finally {
    // ends the listing early when the loop did (stop, failure): the view is destroyed, the rest cancelled
    await pages.return(undefined)
  }

  const report: JobReport = {
    dryRun,
    scope: scope.description,
    interrupted,
    totals,
    listing: { pages: inventory.calls.pages, otherCalls: inventory.calls.other, keys: keys ?? 'all' },
    durationMs: Math.round(performance.now() - started),
    vms: results,
  }
  log.info({ totals, interrupted, durationMs: report.durationMs }, 'migration job finished')
  return report
}

/** vSphere is gone for every VM, not just this one: end the run with the reason instead of failing each VM. */
function stopping(err: unknown): Error {
  if (lostVsphere(err)) {
    const reason = err instanceof Error ? err.message : String(err)
    return new Error(`vSphere stopped answering: ${reason}; run the job again when it is back (it resumes)`, {
      cause: err,
    })
  }
  return err instanceof Error ? err : new Error(String(err))
}
