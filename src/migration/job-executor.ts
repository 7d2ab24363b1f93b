/**
 * The migration job's executor for one VM: plans it, writes the plan in one reconfigure carrying the
 * `changeVersion` it was planned from, and on ConcurrentAccess reads the VM again and plans anew (the other
 * writer may have changed the very keys, or migrated the VM itself), a bounded number of times. Every outcome
 * becomes a result; nothing here throws for one VM's sake, so one bad VM never stops the others. Only losing
 * vSphere itself (unreachable after the client's retries, or the client closed) is thrown: it concerns every VM.
 */
import type { Logger } from 'pino'
import { isFault, VimClientClosed, VimUnreachable, type MoRef } from '../vim/index.js'
import type { ExtraConfigEntry } from './persist.js'
import { planVm, type VmPlan, type VmSnapshot } from './job-plan.js'
import type { PluginRegistry } from './registry.js'
import type { VmOutcome, VmResult } from './report.js'

/** What the executor needs of vSphere (JobInventory). */
export interface VmAccess {
  read(vm: MoRef<'VirtualMachine'>, opId: string): Promise<VmSnapshot | undefined>
  write(
    vm: MoRef<'VirtualMachine'>,
    changeVersion: string,
    entries: readonly ExtraConfigEntry[],
    opId: string,
  ): Promise<void>
}

export interface ExecutorOptions {
  readonly registry: PluginRegistry
  readonly vms: VmAccess
  readonly dryRun: boolean
  /** reconfigures per VM before a run of concurrent changes counts as a failure */
  readonly maxAttempts: number
  readonly log: Logger
}

export const defaultMaxAttempts = 5

export class VmMigrator {
  constructor(private readonly options: ExecutorOptions) {}

  /** The VM's result; undefined when it is not a VIC VM. */
  async run(listed: VmSnapshot): Promise<VmResult | undefined> {
    const { registry, vms, dryRun, maxAttempts, log } = this.options
    const opId = `migrate-${listed.vm.value}`
    let snapshot = listed
    let attempts = 0
    let previous: PlannedVm | undefined
    for (;;) {
      const planned = planVm(registry, snapshot)
      // a VM that stopped being a VIC VM between two reads was, for this job, removed
      if (planned.kind === 'ignored') return previous ? result(snapshot, previous, 'gone', attempts) : undefined
      const plan: PlannedVm = planned
      previous = plan
      if (plan.kind === 'current') return result(snapshot, plan, 'current', attempts)
      if (plan.kind === 'refused') {
        log.warn({ vm: snapshot.vm.value, reason: plan.reason }, 'migration refused')
        return result(snapshot, plan, 'failed', attempts, plan.reason)
      }
      if (plan.writes.length === 0) return result(snapshot, plan, 'in-memory', attempts)
      if (dryRun) return result(snapshot, plan, 'would-migrate', attempts)

      attempts++
      try {
        await vms.write(snapshot.vm, snapshot.changeVersion, plan.writes, opId)
        const { changeVersion } = snapshot
        log.debug({ vm: snapshot.vm.value, changeVersion, keys: plan.writes.length }, 'migrated')
        return result(snapshot, plan, 'migrated', attempts)
      } catch (err) {
        if (lostVsphere(err)) throw err
        if (isFault(err, 'ManagedObjectNotFound')) return result(snapshot, plan, 'gone', attempts)
        if (!isFault(err, 'ConcurrentAccess')) {
          log.warn({ vm: snapshot.vm.value, err }, 'migration write failed')
          return result(snapshot, plan, 'failed', attempts, message(err))
        }
        if (attempts >= maxAttempts) {
          const why = `the VM changed while the job wrote it, ${attempts} times in a row; run the job again`
          return result(snapshot, plan, 'failed', attempts, why)
        }
        log.debug({ vm: snapshot.vm.value, attempts }, 'concurrent change: reading the VM again')
        let again: VmSnapshot | undefined
        try {
          again = await vms.read(snapshot.vm, opId)
        } catch (readErr) {
          if (lostVsphere(readErr)) throw readErr
          return result(snapshot, plan, 'failed', attempts, `reading the VM again failed: ${message(readErr)}`)
        }
        if (!again) return result(snapshot, plan, 'gone', attempts)
        snapshot = again
      }
    }
  }
}

type PlannedVm = Exclude<VmPlan, { kind: 'ignored' }>

function result(vm: VmSnapshot, plan: PlannedVm, outcome: VmOutcome, attempts: number, error?: string): VmResult {
  const planned = plan.kind === 'migrate' ? plan : undefined
  return {
    vm: vm.vm.value,
    name: vm.name,
    target: plan.target,
    fromVersion: plan.fromVersion,
    outcome,
    // a VM that was not written shows no diff, except in a dry run, where the diff is the point
    diff: planned && (outcome === 'migrated' || outcome === 'would-migrate') ? planned.diff : [],
    inMemoryOnly: planned?.inMemoryOnly ?? [],
    attempts,
    ...(error !== undefined ? { error } : {}),
  }
}

export function lostVsphere(err: unknown): boolean {
  return err instanceof VimUnreachable || err instanceof VimClientClosed
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
