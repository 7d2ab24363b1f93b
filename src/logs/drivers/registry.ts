/**
 * Output formats of the logs endpoint as drivers in a registry, the way docker's logger factory holds its log
 * drivers: each driver names the options it takes and checks their values itself, the registry refuses an unknown
 * format or an option the driver does not take before the driver is asked. A new format is one file exporting a
 * {@link LogDriver}, added to the built-in list (drivers/index.ts).
 *
 * A configured driver is a {@link LogFormat}: Node transforms that turn a container's output into the bytes sent
 * to the client. Entries come from the iolog reader as {@link LogEntry} objects; a format may also offer a faster
 * path straight from the iolog bytes (used when no entry has to be filtered out) and a path for logs written
 * without entry headers (containers of data version 0, whose output is plain bytes).
 */
import type { Transform } from 'node:stream'
import { LogError } from '../errors.js'

export type LogOptions = Readonly<Record<string, string>>

export interface LogFormat {
  /** The response's Content-Type. */
  readonly contentType: string
  /** LogEntry objects in, bytes out. */
  entries(): Transform
  /** iolog bytes in, the same output as `entries` out, for a read that keeps every entry. */
  readonly framed?: () => Transform
  /** Plain bytes (a log without entry headers) in; absent when the format needs what such a log lacks. */
  readonly plain?: () => Transform
  /** What of this format needs each entry's time, for the refusal on a plain log (when `plain` is absent). */
  readonly needsTimes?: string
}

export interface LogDriver {
  /** The `format` a client asks for. */
  readonly name: string
  readonly description: string
  /** Every option the driver takes, with what it does; any other option is refused by the registry. */
  readonly options: Readonly<Record<string, string>>
  /** Checks the option values and returns the format; throws a LogError (`invalid_log_option`) for a bad value. */
  create(options: LogOptions): LogFormat
}

export class LogDriverRegistry {
  readonly #drivers = new Map<string, LogDriver>()

  constructor(drivers: Iterable<LogDriver> = []) {
    for (const driver of drivers) this.register(driver)
  }

  register(driver: LogDriver): void {
    if (this.#drivers.has(driver.name)) throw new Error(`a log driver named ${driver.name} is already registered`)
    this.#drivers.set(driver.name, driver)
  }

  names(): string[] {
    return [...this.#drivers.keys()]
  }

  get(name: string): LogDriver | undefined {
    return this.#drivers.get(name)
  }

  /** The format `name` configured with `options`, validated as docker validates log options before creating a logger. */
  create(name: string, options: LogOptions = {}): LogFormat {
    const driver = this.#drivers.get(name)
    if (!driver) {
      throw new LogError(
        'unknown_log_format',
        `no log format named '${name}': use one of ${this.names().map((n) => `'${n}'`).join(', ')}`,
      )
    }
    const taken = Object.keys(driver.options)
    for (const key of Object.keys(options)) {
      if (Object.hasOwn(driver.options, key)) continue
      const takes = taken.length === 0 ? 'it takes no options' : `it takes ${taken.map((k) => `'${k}'`).join(', ')}`
      throw new LogError('invalid_log_option', `unknown option '${key}' for log format ${name}: ${takes}`)
    }
    return driver.create(options)
  }
}

/** A boolean option's value: `true`/`1` or `false`/`0`, as the API's other query parameters. */
export function booleanOption(driver: string, key: string, options: LogOptions, fallback: boolean): boolean {
  const value = options[key]
  if (value === undefined) return fallback
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new LogError('invalid_log_option', `option '${key}' of log format ${driver} must be true or false, not '${value}'`)
}
