/**
 * The vim25 client's public surface. Everything else under vim/ is reachable for tests and for callers that need
 * one layer directly, but this is what the container layer and the migration job import.
 */

export { connect, VimClient, type ConnectOptions } from './client.js'
export { parseDatastorePath, DatastoreFiles, type ByteRange, type DatastoreFile, type FileRead } from './datastore-files.js'
export {
  VimCertificateUntrusted,
  VimClientClosed,
  VimEncodeError,
  VimProtocolError,
  VimTaskTimeout,
  VimUnreachable,
  type UnreachableReason,
} from './errors.js'
export { extraConfigFrom, extraConfigKeyPath, extraConfigPaths } from './extra-config-paths.js'
export { findFault, isFault, VimFault } from './fault.js'
export { silentLogger, vimRedactPaths } from './logging.js'
export * as methods from './methods.js'
export { asMoRef, isMoRef, moref, moRefKey, sameMoRef, type MoRef } from './moref.js'
export {
  objectsFilterSpec,
  retrieveAll,
  retrievePages,
  toObjectProperties,
  type ObjectProperties,
  type RetrieveOptions,
} from './property.js'
export { isRetryable, isTransientFault, transientFaults, type RetryPolicy } from './retry.js'
export type { CallOptions, MethodSpec, RoundTripper } from './round-tripper.js'
export type { TaskOptions } from './task.js'
export type { TaskWatchOptions } from './task-watcher.js'
export { normalizeThumbprint, type TlsOptions } from './transport/agent.js'
export type * from './types.js'
export { viewFilterSpec, withContainerView } from './view.js'
export { runUpdateLoop, type UpdateLoopOptions } from './wait-for-updates.js'
