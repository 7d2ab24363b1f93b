/**
 * Logging for the vim client. The client takes an injected pino logger; these are the redaction paths the
 * composition root should give pino so a password or a session cookie is censored even if some caller puts one
 * in a log object. The client itself never logs either (it logs method names, op IDs, statuses and user names).
 */

import { pino, type Logger } from 'pino'
import { VimFault } from './fault.js'

export const vimRedactPaths: readonly string[] = [
  'password',
  '*.password',
  'cookie',
  '*.cookie',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
]

/** The logger used when none is given: discards everything. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}

/** An error as a log field: its kind and message only (never a request config, body or cookie). */
export function describeError(err: unknown): { type: string; message: string } {
  if (err instanceof Error) return { type: VimFault.is(err) ? `VimFault:${err.faultType}` : err.name, message: err.message }
  return { type: typeof err, message: String(err) }
}
