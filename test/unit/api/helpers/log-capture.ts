/** A pino logger writing into an array of parsed JSON lines, so tests can assert on what was (not) logged. */
import pino, { type Logger } from 'pino'

export interface CapturedLogs {
  logger: Logger
  lines: Array<Record<string, unknown>>
  /** every line as one string, for "never contains" checks */
  text(): string
}

export function captureLogs(options: pino.LoggerOptions = {}): CapturedLogs {
  const raw: string[] = []
  const logger = pino({ level: 'trace', ...options }, { write: (line: string) => void raw.push(line) })
  return {
    logger,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>)
    },
    text: () => raw.join(''),
  }
}
