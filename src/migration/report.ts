/**
 * The migration job's report: one result per VIC VM, the totals, and the two ways it is shown (the text an
 * operator reads, JSON for tools). Pure: the job fills it, the CLI prints it.
 *
 * Every result names the plugins that changed the VM and what each changed, the keys written (old and new value)
 * and the changed keys kept in memory only, because the guest's old tether reads `guestinfo.*` in its own layout:
 * an operator sees from the report alone that no change reached the guest, and that the service makes those
 * changes again each time it reads the VM. A VM whose keys contradict each other gets a line of its own saying
 * so and what to do; the job wrote nothing to it.
 */
import type { KeyDiff, PluginOutcome } from './job-plan.js'
import type { MigrationTarget } from './plugin.js'

export type VmOutcome =
  /** the changes and the migration record were written */
  | 'migrated'
  /** dry run: they would have been */
  | 'would-migrate'
  /** plugins ran, but every change is guest-visible: nothing to write */
  | 'in-memory'
  /** nothing to do: no plugin changes anything, or the job wrote the VM before and finds nothing new */
  | 'current'
  /** its keys contradict each other: left as it is, nothing written */
  | 'inconsistent'
  /** deleted while the job ran */
  | 'gone'
  | 'failed'

export interface VmResult {
  /** the VM's managed object ID, e.g. vm-42 */
  readonly vm: string
  /** the VM's name in vSphere (a container's display name, `name-shortID`) */
  readonly name: string
  readonly target: MigrationTarget
  /** the data version stamped on the VM */
  readonly fromVersion: number
  readonly outcome: VmOutcome
  /** keys written (or, in a dry run, to be written), the migration record included */
  readonly diff: readonly KeyDiff[]
  /** changed keys left in memory, because the guest would see them */
  readonly inMemoryOnly: readonly string[]
  /** the plugins that changed the VM, each with what it wrote and what it left in memory */
  readonly plugins: readonly PluginOutcome[]
  /** reconfigures sent: more than 1 after concurrent changes */
  readonly attempts: number
  /** why the VM failed or was left as it is, and what to do */
  readonly error?: string
}

export interface JobTotals {
  /** VMs listed in the scope */
  examined: number
  /** VMs that are neither a container nor the appliance */
  ignored: number
  containers: number
  appliances: number
  migrated: number
  wouldMigrate: number
  inMemory: number
  current: number
  gone: number
  /** VMs left as they are because their keys contradict each other */
  inconsistent: number
  failed: number
  /** reconfigures sent */
  writes: number
  /** writes refused because the VM changed since it was read (each was read again and replayed) */
  conflicts: number
}

export interface JobReport {
  readonly dryRun: boolean
  readonly scope: string
  /** the run was stopped (signal) before every VM was examined */
  readonly interrupted: boolean
  readonly totals: JobTotals
  /**
   * calls of the listing: pages of VM properties, and the rest (views, member lists); the ExtraConfig keys it
   * read of each VM, or 'all' when some plugin needs the whole map
   */
  readonly listing: { readonly pages: number; readonly otherCalls: number; readonly keys: readonly string[] | 'all' }
  readonly durationMs: number
  /** VIC VMs in the order they were examined */
  readonly vms: readonly VmResult[]
}

export function emptyTotals(): JobTotals {
  return {
    examined: 0,
    ignored: 0,
    containers: 0,
    appliances: 0,
    migrated: 0,
    wouldMigrate: 0,
    inMemory: 0,
    current: 0,
    gone: 0,
    inconsistent: 0,
    failed: 0,
    writes: 0,
    conflicts: 0,
  }
}

const outcomeTotal: Record<VmOutcome, keyof JobTotals> = {
  migrated: 'migrated',
  'would-migrate': 'wouldMigrate',
  'in-memory': 'inMemory',
  current: 'current',
  gone: 'gone',
  inconsistent: 'inconsistent',
  failed: 'failed',
}

/** Adds one VIC VM's result to the totals. */
export function countResult(totals: JobTotals, result: VmResult): void {
  totals[result.target === 'container' ? 'containers' : 'appliances']++
  totals[outcomeTotal[result.outcome]]++
  totals.writes += result.attempts
  totals.conflicts += Math.max(0, result.attempts - 1)
}

/**
 * Every VM the job meant to handle was handled: nothing failed, no VM was left as it is for contradicting keys
 * (a person has to look at it), and the run was not cut short.
 */
export function succeeded(report: JobReport): boolean {
  return report.totals.failed === 0 && report.totals.inconsistent === 0 && !report.interrupted
}

/** The report for people: each VM with something to write or a failure, its diff, then the totals. */
export function renderText(report: JobReport): string {
  const lines: string[] = []
  for (const vm of report.vms) {
    if (vm.outcome === 'current' || vm.outcome === 'gone') continue
    const head = `${vm.vm} ${vm.name} (${vm.target}, data version ${vm.fromVersion})`
    if (vm.outcome === 'inconsistent') {
      lines.push(`${head}: LEFT AS IT IS, its keys contradict each other: ${vm.error ?? ''}`)
      continue
    }
    lines.push(`${head}: ${outcomeWords(vm)}`)
    for (const p of vm.plugins) lines.push(`  ${pluginLine(p)}`)
    for (const d of vm.diff) lines.push(`  ${diffLine(d)}`)
    if (vm.error) lines.push(`  error: ${vm.error}`)
  }
  if (lines.length > 0) lines.push('')
  lines.push(summaryLine(report))
  return `${lines.join('\n')}\n`
}

export function summaryLine(report: JobReport): string {
  const t = report.totals
  const done = report.dryRun ? `${t.wouldMigrate} to write` : `${t.migrated} written`
  const parts = [
    `${t.examined} VMs examined (${t.containers} containers, ${t.appliances} appliances, ${t.ignored} others)`,
    done,
    `${t.inMemory} in memory only`,
    `${t.current} current`,
    `${t.failed} failed`,
  ]
  if (t.inconsistent > 0) parts.push(`${t.inconsistent} left as they are (contradicting keys)`)
  if (t.gone > 0) parts.push(`${t.gone} gone`)
  if (t.conflicts > 0) parts.push(`${t.conflicts} concurrent changes replayed`)
  const tail = [
    report.dryRun ? 'dry run: nothing was written' : undefined,
    report.interrupted ? 'interrupted: run the job again to finish' : undefined,
    t.failed > 0 ? 'see the errors above, then run the job again' : undefined,
    t.inconsistent > 0 ? 'fix the keys of the VMs left as they are (see above), then run the job again' : undefined,
  ].filter(Boolean)
  return `migrate (${report.scope}): ${parts.join(', ')}${tail.length > 0 ? `; ${tail.join('; ')}` : ''}`
}

function outcomeWords(vm: VmResult): string {
  switch (vm.outcome) {
    case 'migrated':
      return `wrote ${vm.diff.length} keys${vm.attempts > 1 ? ` (after ${vm.attempts - 1} concurrent changes)` : ''}`
    case 'would-migrate':
      return `would write ${vm.diff.length} keys`
    case 'in-memory':
      return 'nothing to write'
    case 'failed':
      return 'FAILED'
    default:
      return vm.outcome
  }
}

function pluginLine(p: PluginOutcome): string {
  const parts = [
    p.written.length > 0 ? `wrote ${p.written.join(', ')}` : undefined,
    p.inMemoryOnly.length > 0 ? `in memory only (guest-visible): ${p.inMemoryOnly.join(', ')}` : undefined,
  ].filter(Boolean)
  return `plugin ${p.version} ${p.name}: ${parts.join('; ')}`
}

function diffLine(d: KeyDiff): string {
  if (d.from === undefined) return `+ ${d.key} = ${JSON.stringify(d.to ?? '')}`
  if (d.to === undefined) return `- ${d.key} (was ${JSON.stringify(d.from)})`
  return `~ ${d.key}: ${JSON.stringify(d.from)} -> ${JSON.stringify(d.to)}`
}
