/**
 * The process logger: pino JSON lines on stdout. Secrets are removed by configuration (`redact`), whatever object a
 * caller logs: passwords, tokens, cookies and authorization headers at the paths where they can appear.
 */
import pino, { type DestinationStream, type Logger } from 'pino'
import type { LogLevel } from '../config.js'

export const redactedPaths = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'cookie',
  '*.cookie',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
]

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { pid: process.pid },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  }
  return destination ? pino(options, destination) : pino(options)
}
