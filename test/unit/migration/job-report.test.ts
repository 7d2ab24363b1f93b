import { describe, expect, it } from 'vitest'
import { jobProgress } from '../../../src/migration/progress.js'
import {
  countResult,
  emptyTotals,
  renderText,
  succeeded,
  type JobReport,
  type VmResult,
} from '../../../src/migration/report.js'

const legacy: VmResult = {
  vm: 'vm-7',
  name: 'web-0123456789ab',
  target: 'container',
  fromVersion: 1,
  outcome: 'migrated',
  diff: [
    { key: 'common/name', to: 'web' },
    { key: 'portlayer/migratedVersion', from: '2', to: '9' },
    { key: 'stale/key', from: 'x' },
  ],
  inMemoryOnly: ['guestinfo.vice..createtime'],
  plugins: [
    { version: 2, name: 'add-common-name', written: ['common/name', 'stale/key'], inMemoryOnly: [] },
    { version: 9, name: 'create-time-nanoseconds', written: [], inMemoryOnly: ['guestinfo.vice..createtime'] },
  ],
  attempts: 2,
}
const current: VmResult = { ...legacy, vm: 'vm-8', outcome: 'current', diff: [], inMemoryOnly: [], plugins: [], attempts: 0 }
const failed: VmResult = {
  ...legacy,
  vm: 'vm-9',
  outcome: 'failed',
  diff: [],
  attempts: 1,
  error: 'InvalidState: the operation is not allowed in the current state of the object',
}

function report(vms: VmResult[], extra: Partial<JobReport> = {}): JobReport {
  const totals = emptyTotals()
  for (const vm of vms) {
    totals.examined++
    countResult(totals, vm)
  }
  return {
    dryRun: false,
    scope: 'every VM',
    interrupted: false,
    totals,
    listing: { pages: 1, otherCalls: 3, keys: ['common/name'] },
    durationMs: 5,
    vms,
    ...extra,
  }
}

describe('the migration report', () => {
  it('shows each written VM with the plugins that changed it, its keys old and new, and what stayed in memory', () => {
    const text = renderText(report([legacy, current]))
    expect(text.split('\n')).toEqual([
      'vm-7 web-0123456789ab (container, data version 1): wrote 3 keys (after 1 concurrent changes)',
      '  plugin 2 add-common-name: wrote common/name, stale/key',
      '  plugin 9 create-time-nanoseconds: in memory only (guest-visible): guestinfo.vice..createtime',
      '  + common/name = "web"',
      '  ~ portlayer/migratedVersion: "2" -> "9"',
      '  - stale/key (was "x")',
      '',
      'migrate (every VM): 2 VMs examined (2 containers, 0 appliances, 0 others), 1 written, 0 in memory only, ' +
        '1 current, 0 failed, 1 concurrent changes replayed',
      '',
    ])
  })

  it('counts writes and replays: a VM written after one concurrent change cost two reconfigures', () => {
    expect(report([legacy, current]).totals).toMatchObject({ migrated: 1, current: 1, writes: 2, conflicts: 1, containers: 2 })
  })

  it('tells the operator what to do when a VM failed or the run was cut short', () => {
    const withFailure = report([legacy, failed])
    expect(succeeded(withFailure)).toBe(false)
    expect(renderText(withFailure)).toContain(`  error: ${failed.error}`)
    expect(renderText(withFailure)).toMatch(/1 failed.*see the errors above, then run the job again/)

    const interrupted = report([legacy], { interrupted: true })
    expect(succeeded(interrupted)).toBe(false)
    expect(renderText(interrupted)).toContain('interrupted: run the job again to finish')

    expect(succeeded(report([legacy, current]))).toBe(true)
  })

  it('gives a VM whose keys contradict each other a line of its own, and does not call the run a success', () => {
    const why = 'common/name holds "a" but guestinfo.vice./common/name holds "b": …'
    const left: VmResult = { ...current, vm: 'vm-10', fromVersion: 3, outcome: 'inconsistent', error: why }
    const run = report([legacy, left])
    expect(run.totals).toMatchObject({ inconsistent: 1, migrated: 1, failed: 0 })
    expect(succeeded(run)).toBe(false)
    const text = renderText(run)
    expect(text).toContain(
      `vm-10 web-0123456789ab (container, data version 3): LEFT AS IT IS, its keys contradict each other: ${why}\n`,
    )
    expect(text).toMatch(/1 left as they are \(contradicting keys\).*; fix the keys of the VMs left as they are/)
  })

  it('says in a dry run that nothing was written', () => {
    const text = renderText(report([{ ...legacy, outcome: 'would-migrate', attempts: 0 }], { dryRun: true }))
    expect(text).toContain('(container, data version 1): would write 3 keys')
    expect(text).toMatch(/1 to write.*dry run: nothing was written/)
  })
})

describe('progress without a terminal', () => {
  it('prints a plain line at every tenth of the way and at the end, never cursor codes', () => {
    const lines: string[] = []
    const progress = jobProgress({ stream: { isTTY: false } as NodeJS.WriteStream, write: (t) => lines.push(t), dryRun: false })
    const totals = emptyTotals()
    progress.onTotal?.(25)
    for (let i = 0; i < 25; i++) {
      totals.examined++
      if (i % 2 === 0) totals.migrated++
      progress.onVm?.(totals, undefined)
    }
    progress.stop()
    expect(lines).toEqual([
      'migrate: 25 VMs to examine\n',
      'migrate: 3/25 VMs examined, 2 written, 0 failed\n',
      'migrate: 6/25 VMs examined, 3 written, 0 failed\n',
      'migrate: 9/25 VMs examined, 5 written, 0 failed\n',
      'migrate: 12/25 VMs examined, 6 written, 0 failed\n',
      'migrate: 15/25 VMs examined, 8 written, 0 failed\n',
      'migrate: 18/25 VMs examined, 9 written, 0 failed\n',
      'migrate: 21/25 VMs examined, 11 written, 0 failed\n',
      'migrate: 24/25 VMs examined, 12 written, 0 failed\n',
      'migrate: 25/25 VMs examined, 13 written, 0 failed\n',
    ])
  })

  it('prints the last count when the run ends between two steps', () => {
    const lines: string[] = []
    const progress = jobProgress({ stream: { isTTY: false } as NodeJS.WriteStream, write: (t) => lines.push(t), dryRun: true })
    const totals = emptyTotals()
    progress.onTotal?.(100)
    for (let i = 0; i < 15; i++) {
      totals.examined++
      progress.onVm?.(totals, undefined)
    }
    progress.stop()
    expect(lines.at(-1)).toBe('migrate: 15/100 VMs examined, 0 to write, 0 failed\n')
    expect(lines).toHaveLength(3)
  })
})
