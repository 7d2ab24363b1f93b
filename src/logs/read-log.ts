/**
 * Serving one log: the plan (query.ts) applied to a datastore log file. Reads the size, finds where the wanted
 * entries start by reading backwards in small ranges (the iolog tail search, or the line tail for a log without
 * entry headers), then streams from there through the iolog reader, the entry filter and the output format. With
 * nothing to filter, the format reads the iolog bytes itself (its faster path). The result is one Node stream the
 * caller pipes to the client; destroying it ends every request to the datastore.
 */
import { pipeline, type Readable, type Transform } from 'node:stream'
import { DatastoreLog, LogFileStream, type FollowOptions, type LogReadStats } from './datastore-log.js'
import { EntryFilter } from './entry-filter.js'
import { findTailOffset, LogEntryReader } from './iolog/index.js'
import { findLineTailOffset } from './line-tail.js'
import { keepsEveryEntry, type LogPlan } from './query.js'

export interface LogRead {
  readonly stream: Readable
  readonly contentType: string
  /** Requests and bytes fetched so far; final once the stream has closed. */
  readonly stats: Readonly<LogReadStats>
  /** The file's size when the read began, and the offset it began at. */
  readonly size: number
  readonly start: number
  /** Settles when the stream has ended or was destroyed: with the error that broke it, if any. */
  readonly done: Promise<Error | undefined>
}

export interface ReadLogOptions {
  /** Follow the file while `plan.follow`; the signal ends it (the container stopped). Absent: never follow. */
  readonly follow?: FollowOptions
  /** Cancels the requests made before the stream is returned (the size, the tail search). */
  readonly signal?: AbortSignal
  /** The clock, for deciding whether `until` has passed (nanoseconds since the epoch). */
  readonly now?: () => bigint
}

/** setTimeout's longest delay (about 24 days); an `until` further ahead is not timed. */
const maxTimerNs = BigInt(2 ** 31 - 1) * 1_000_000n
const systemNow = (): bigint => BigInt(Date.now()) * 1_000_000n

export async function readLog(log: DatastoreLog, plan: LogPlan, options: ReadLogOptions = {}): Promise<LogRead> {
  const { signal } = options
  const size = (await log.size(signal)) ?? 0
  const read = (start: number, end: number): Promise<Buffer> => log.range(start, end, signal)
  let start = 0
  if (plan.framed) {
    const query = {
      ...(plan.tail !== undefined ? { tail: plan.tail } : {}),
      ...(plan.since !== undefined ? { since: plan.since } : {}),
    }
    if (size > 0) start = await findTailOffset(size, read, query)
  } else if (plan.tail !== undefined) {
    start = await findLineTailOffset(size, read, plan.tail)
  }

  const now = options.now ?? systemNow
  const untilAhead = plan.until === undefined ? undefined : plan.until - now()
  const follows = plan.follow && options.follow !== undefined && (untilAhead === undefined || untilAhead > 0n)
  const source = new LogFileStream(log, start, size, follows ? options.follow : undefined)

  const stages: Transform[] = []
  const everyEntry = keepsEveryEntry(plan)
  if (!plan.framed) {
    stages.push(plan.format.plain!())
  } else if (everyEntry && plan.format.framed) {
    stages.push(plan.format.framed())
  } else {
    stages.push(new LogEntryReader())
    if (!everyEntry) {
      stages.push(
        new EntryFilter({
          ...(plan.since !== undefined ? { since: plan.since } : {}),
          ...(plan.until !== undefined ? { until: plan.until } : {}),
          streams: plan.streams,
          onPastUntil: () => source.stop(),
        }),
      )
    }
    stages.push(plan.format.entries())
  }
  // a follow with `until` ahead ends once that time has come (and what was written by then is read)
  if (follows && untilAhead !== undefined && untilAhead < maxTimerNs) {
    const timer = setTimeout(() => source.finish(), Number(untilAhead / 1_000_000n) + 1)
    source.once('close', () => clearTimeout(timer))
  }
  let settle: (err: Error | undefined) => void = () => undefined
  const done = new Promise<Error | undefined>((resolve) => (settle = resolve))
  pipeline([source, ...stages], (err) => settle(err ?? undefined))
  const output = stages[stages.length - 1]!
  return { stream: output, contentType: plan.format.contentType, stats: log.stats, size, start, done }
}
