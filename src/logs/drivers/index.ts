/**
 * The built-in log formats. A new format is a file in this folder exporting its LogDriver, and one entry here.
 */
import { jsonFileDriver } from './json-file.js'
import { rawDriver } from './raw.js'
import { LogDriverRegistry } from './registry.js'

export { LogDriverRegistry, booleanOption, type LogDriver, type LogFormat, type LogOptions } from './registry.js'

/** The format used when a request names none. */
export const defaultLogFormat = rawDriver.name

export function builtinLogDrivers(): LogDriverRegistry {
  return new LogDriverRegistry([rawDriver, jsonFileDriver])
}

/** The registry the service serves from. */
export const logDrivers: LogDriverRegistry = builtinLogDrivers()
