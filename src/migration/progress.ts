/**
 * How the migration job shows its progress: a bar (cli-progress) when a person watches a terminal, plain lines
 * at every tenth of the way otherwise, so a log file or a CI job gets a few readable lines instead of the bar's
 * cursor codes. Both go to stderr beside the logs; stdout is the report's.
 */
import cliProgress from 'cli-progress'
import type { JobListener } from './job.js'
import type { JobTotals } from './report.js'

export interface ProgressOptions {
  /** the terminal the bar is drawn on; a stream that is not a TTY gets plain lines */
  readonly stream: NodeJS.WritableStream & { readonly isTTY?: boolean }
  /** where plain lines go */
  readonly write: (text: string) => void
  readonly dryRun: boolean
}

export interface JobProgress extends JobListener {
  /** ends the display (the bar's last state stays on screen) */
  stop(): void
}

export function jobProgress(options: ProgressOptions): JobProgress {
  return options.stream.isTTY ? barProgress(options) : lineProgress(options)
}

function counts(totals: Readonly<JobTotals>, dryRun: boolean): { written: number; failed: number } {
  return { written: dryRun ? totals.wouldMigrate : totals.migrated, failed: totals.failed }
}

function barProgress({ stream, dryRun }: ProgressOptions): JobProgress {
  const verb = dryRun ? 'to write' : 'written'
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `migrate |{bar}| {value}/{total} VMs | {written} ${verb} | {failed} failed | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    onTotal(total) {
      bar.start(total, 0, { written: 0, failed: 0 })
      started = true
    },
    onVm(totals) {
      bar.update(totals.examined, counts(totals, dryRun))
    },
    stop() {
      if (started) bar.stop()
    },
  }
}

function lineProgress({ write, dryRun }: ProgressOptions): JobProgress {
  let total = 0
  let step = 1
  let printed = -1
  let last: Readonly<JobTotals> | undefined
  const line = (totals: Readonly<JobTotals>): void => {
    const { written, failed } = counts(totals, dryRun)
    const done = `${written} ${dryRun ? 'to write' : 'written'}`
    write(`migrate: ${totals.examined}/${total} VMs examined, ${done}, ${failed} failed\n`)
    printed = totals.examined
  }
  return {
    onTotal(n) {
      total = n
      step = Math.max(1, Math.ceil(n / 10))
      write(`migrate: ${n} VMs to examine\n`)
    },
    onVm(totals) {
      last = totals
      if (totals.examined - Math.max(printed, 0) >= step || totals.examined === total) line(totals)
    },
    stop() {
      if (last && last.examined !== printed) line(last)
    },
  }
}
