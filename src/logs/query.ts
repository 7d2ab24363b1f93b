/**
 * A logs request checked and turned into a plan, pure: which entries to keep (a time window, a tail, the streams),
 * whether to follow, and the configured output format. Everything a client can get wrong is refused here, before
 * any byte is read, with a message that says what to change.
 *
 * A log written with entry headers (`framed`, data version > 0) knows each entry's time and stream. A log without
 * them (data version 0: VIC's first tether wrote plain bytes) does not, so a time window, a single stream and any
 * format that prints times are refused for it; `tail` then counts lines.
 */
import { defaultLogFormat, type LogDriverRegistry, type LogFormat, type LogOptions } from './drivers/index.js'
import { LogError } from './errors.js'
import { parseLogTime } from './time.js'

export interface LogQueryInput {
  /** only entries written after this: unix seconds (fraction allowed) or RFC 3339 */
  readonly since?: string
  /** only entries written up to this: unix seconds (fraction allowed) or RFC 3339 */
  readonly until?: string
  /** only the last N entries (lines, for a log without entry headers) */
  readonly tail?: number
  readonly follow?: boolean
  readonly stdout?: boolean
  readonly stderr?: boolean
  readonly format?: string
  /** options of the format (raw: `timestamps`) */
  readonly options?: LogOptions
}

export interface LogPlan {
  /** the log has entry headers (times, streams) */
  readonly framed: boolean
  /** keep entries written after this (nanoseconds since the epoch) */
  readonly since?: bigint
  /** keep entries written up to this (nanoseconds since the epoch) */
  readonly until?: bigint
  readonly tail?: number
  readonly follow: boolean
  readonly streams: { readonly stdout: boolean; readonly stderr: boolean }
  readonly formatName: string
  readonly format: LogFormat
}

export interface PlanContext {
  readonly framed: boolean
  readonly drivers: LogDriverRegistry
  /** how to name the log in a refusal, e.g. `container web` */
  readonly subject: string
}

export function planLogRead(input: LogQueryInput, context: PlanContext): LogPlan {
  const formatName = input.format ?? defaultLogFormat
  const format = context.drivers.create(formatName, input.options ?? {})
  const since = time('since', input.since)
  const until = time('until', input.until)
  if (since !== undefined && until !== undefined && since >= until) {
    throw new LogError('invalid_log_option', 'since must be before until: no entry can be after one and up to the other')
  }
  const tail = input.tail
  if (tail !== undefined && (!Number.isSafeInteger(tail) || tail < 0)) {
    throw new LogError('invalid_log_option', `tail must be a whole number of entries, 0 or more, not ${tail}`)
  }
  const streams = { stdout: input.stdout ?? true, stderr: input.stderr ?? true }
  if (!streams.stdout && !streams.stderr) {
    throw new LogError('invalid_log_option', 'stdout and stderr are both false: ask for at least one of them')
  }
  if (!context.framed) {
    const plain =
      `the output of ${context.subject} was written without entry headers (data version 0), ` +
      'so it has no times or streams'
    if (!format.plain) {
      const what = format.needsTimes ?? `format ${formatName}`
      throw new LogError('invalid_log_option', `${plain}: ${what} cannot be served; ask for format raw without timestamps`)
    }
    if (since !== undefined || until !== undefined) {
      throw new LogError('invalid_log_option', `${plain}: leave out since and until`)
    }
    if (!streams.stdout || !streams.stderr) {
      throw new LogError('invalid_log_option', `${plain}: stdout and stderr cannot be told apart; ask for both`)
    }
  }
  return {
    framed: context.framed,
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(tail !== undefined ? { tail } : {}),
    follow: input.follow ?? false,
    streams,
    formatName,
    format,
  }
}

/** The time of `since`/`until` in nanoseconds; 0 (docker's "not set") and absent are both no bound. */
function time(name: string, text: string | undefined): bigint | undefined {
  if (text === undefined || text === '') return undefined
  const ns = parseLogTime(text)
  if (ns === undefined) {
    throw new LogError(
      'invalid_log_option',
      `${name} must be unix seconds (1700000000 or 1700000000.5) or an RFC 3339 time (2023-11-14T22:13:20Z), ` +
        `not '${text.slice(0, 64)}'`,
    )
  }
  return ns > 0n ? ns : undefined
}

/** Whether every entry reaches the format unchanged, so it may read the iolog bytes directly. */
export function keepsEveryEntry(plan: LogPlan): boolean {
  return plan.since === undefined && plan.until === undefined && plan.streams.stdout && plan.streams.stderr
}
