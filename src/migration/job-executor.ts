/**
 * The migration job's executor for one VM: writes the VM's plan (made when it was listed) in one reconfigure
 * carrying the `changeVersion` it was planned from, and on ConcurrentAccess reads the VM again and plans anew
 * (the other writer may have changed the very keys, or migrated the VM itself), a bounded number of times. Every
 * outcome becomes a result; nothing here throws for one VM's sake, so one bad VM never stops the others. Only
 * losing vSphere itself (unreachable after the client's retries, or the client closed) is thrown: it concerns
 * every VM.
 */
import type { Logger } from 'pino'
import { isFault, VimClientClosed, VimUnreachable, type MoRef } from '../vim/index.js'
import type { ExtraConfigEntry } from './persist.js'
import { plannedVm, type PlannedVm, type VmPlan, type VmSnapshot } from './job-plan.js'
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

  /** The VM's result, from its plan as listed; undefined when it is not a VIC VM. */
  async run(listed: PlannedVm): Promise<VmResult | undefined> {
    const { registry, vms, dryRun, maxAttempts, log } = this.options
    const opId = `migrate-${listed.vm.value}`
    let vm = listed
    let attempts = 0
    let previous: Plan | undefined
    for (;;) {
      // a VM that stopped being a VIC VM between two reads was, for this job, removed
      if (vm.plan.kind === 'ignored') return previous ? result(vm, previous, 'gone', attempts) : undefined
      const plan: Plan = vm.plan
      previous = plan
      if (plan.kind === 'current') return result(vm, plan, 'current', attempts)
      if (plan.kind === 'refused') {
        log.warn({ vm: vm.vm.value, reason: plan.reason }, 'migration refused')
        return result(vm, plan, 'failed', attempts, plan.reason)
      }
      if (plan.kind === 'inconsistent') {
        log.warn({ vm: vm.vm.value, reason: plan.reason }, 'keys contradict each other: VM left as it is')
        return result(vm, plan, 'inconsistent', attempts, plan.reason)
      }
      if (plan.writes.length === 0) return result(vm, plan, 'in-memory', attempts)
      if (dryRun) return result(vm, plan, 'would-migrate', attempts)

      attempts++
      try {
        await vms.write(vm.vm, vm.changeVersion, plan.writes, opId)
        const { changeVersion } = vm
        log.debug({ vm: vm.vm.value, changeVersion, keys: plan.writes.length }, 'migrated')
        return result(vm, plan, 'migrated', attempts)
      } catch (err) {
        if (lostVsphere(err)) throw err
        if (isFault(err, 'ManagedObjectNotFound')) return result(vm, plan, 'gone', attempts)
        if (!isFault(err, 'ConcurrentAccess')) {
          log.warn({ vm: vm.vm.value, err }, 'migration write failed')
          return result(vm, plan, 'failed', attempts, message(err))
        }
        if (attempts >= maxAttempts) {
          const why = `the VM changed while the job wrote it, ${attempts} times in a row; run the job again`
          return result(vm, plan, 'failed', attempts, why)
        }
        log.debug({ vm: vm.vm.value, attempts }, 'concurrent change: reading the VM again')
        let again: VmSnapshot | undefined
        try {
          again = await vms.read(vm.vm, opId)
        } catch (readErr) {
          if (lostVsphere(readErr)) throw readErr
          return result(vm, plan, 'failed', attempts, `reading the VM again failed: ${message(readErr)}`)
        }
        if (!again) return result(vm, plan, 'gone', attempts)
        vm = plannedVm(registry, again)
      }
    }
  }
}

type Plan = Exclude<VmPlan, { kind: 'ignored' }>

function result(vm: PlannedVm, plan: Plan, outcome: VmOutcome, attempts: number, error?: string): VmResult {
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
    // what each plugin changed; a write that did not happen shows what stayed in memory only
    plugins:
      planned?.plugins.map((p) =>
        outcome === 'migrated' || outcome === 'would-migrate' ? p : { ...p, written: [] },
      ).filter((p) => p.written.length > 0 || p.inMemoryOnly.length > 0) ?? [],
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
