/**
 * Errors of a logs request the client can fix: an output format nobody registered, or an option (a query
 * parameter, a format option) that is unknown, malformed or impossible for this log. Each has a stable `kind`,
 * the code the REST API sends; api/errors.ts maps kinds to HTTP statuses. Messages say what to change.
 */
export type LogErrorKind = 'unknown_log_format' | 'invalid_log_option'

const brand = Symbol.for('portlayer/LogError')

export class LogError extends Error {
  readonly [brand] = true
  constructor(
    readonly kind: LogErrorKind,
    message: string,
  ) {
    super(message)
    this.name = 'LogError'
  }

  static is(err: unknown): err is LogError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[brand] === true
  }
}
