/**
 * Container output logs: the iolog codec (iolog/), output formats as drivers (drivers/), and reading a log from a
 * datastore over its HTTP interface with tail, time window, stream filter and follow. Knows datastores, not
 * containers: the container layer says which file, which data version and when a follow must end.
 */
export { DatastoreLog, LogFileStream, type FollowOptions, type LogFileAccess, type LogReadStats } from './datastore-log.js'
export {
  builtinLogDrivers,
  defaultLogFormat,
  logDrivers,
  LogDriverRegistry,
  type LogDriver,
  type LogFormat,
} from './drivers/index.js'
export { EntryFilter } from './entry-filter.js'
export { LogError, type LogErrorKind } from './errors.js'
export { findLineTailOffset, searchLineTail } from './line-tail.js'
export { planLogRead, type LogPlan, type LogQueryInput } from './query.js'
export { readLog, type LogRead, type ReadLogOptions } from './read-log.js'
export { formatRfc3339Nano, parseLogTime } from './time.js'
