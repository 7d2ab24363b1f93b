/**
 * A container's output for the logs endpoint: the request is checked against what the container's log can give
 * (a data-version-0 container wrote plain bytes, without times or streams), then its `output.log` is read from the
 * VM's datastore folder (files.vmPathName's folder, where create put the serial port's file; a rename never moves
 * it). A follow is offered only while the container runs and ends when the store sees it stop or disappear.
 */
import type { Logger } from 'pino'
import { DatastoreLog, logDrivers, planLogRead, readLog } from '../logs/index.js'
import type { VimClient } from '../vim/index.js'
import { splitVmPath, type Container } from './container.js'
import { ContainerError } from './errors.js'
import type { Target } from './placement.js'
import { logFiles } from './spec.js'
import type { ContainerStore } from './store.js'
import type { ContainerLogs, LogsRequest, OpContext } from './types.js'

export interface LogsDeps {
  readonly client: VimClient
  readonly store: ContainerStore
  readonly target: Target
  readonly log: Logger
}

/** How often a follow asks for the file's size. */
export const followIntervalMs = 1000

export async function containerLogs(
  deps: LogsDeps,
  ref: string,
  request: LogsRequest,
  op: OpContext,
): Promise<ContainerLogs> {
  let c = deps.store.resolve(ref)
  const plan = planLogRead(request, { framed: c.dataVersion > 0, drivers: logDrivers, subject: `container ${c.name}` })
  if (splitVmPath(c.vm.vmPathName).folder === '') {
    // just created on vSAN: vSphere names the folder, and the store has not heard the name yet
    c = (await deps.store.fresh(c.vm.moref, op.opId)) ?? gone(c)
  }
  const log = new DatastoreLog(deps.client.files, outputLog(c, deps.target), op.opId)
  const stopped = plan.follow && c.state === 'running' ? watchStop(deps.store, c.id) : undefined
  const read = await readLog(log, plan, {
    ...(stopped ? { follow: { signal: stopped.signal, intervalMs: followIntervalMs } } : {}),
    ...(op.signal ? { signal: op.signal } : {}),
  }).catch((err: unknown) => {
    stopped?.close()
    throw err
  })
  const started = {
    opId: op.opId,
    id: c.id,
    file: log.file.path,
    size: read.size,
    start: read.start,
    follow: stopped !== undefined,
  }
  deps.log.debug(started, 'logs reading')
  void read.done.then((err) => {
    stopped?.close()
    const fields = { ...started, requests: read.stats.requests, bytes: read.stats.bytes }
    if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      deps.log.warn({ ...fields, err }, 'logs read failed part way')
    } else {
      deps.log.info(fields, 'logs served')
    }
  })
  return { contentType: read.contentType, stream: read.stream }
}

/** `output.log` in the VM's folder, on the VM's datastore, in the service's datacenter. */
export function outputLog(c: Container, target: Target): { datastore: string; datacenter: string; path: string } {
  const { datastore, folder } = splitVmPath(c.vm.vmPathName)
  return { datastore, datacenter: target.datacenterName, path: `${folder}/${logFiles.output}` }
}

/** A signal that aborts when the store sees the container stop running or disappear. */
function watchStop(store: ContainerStore, id: string): { signal: AbortSignal; close(): void } {
  const controller = new AbortController()
  const unsubscribe = store.onChange((change) => {
    if (change.container.id !== id) return
    if (change.kind === 'delete' || change.container.state !== 'running') controller.abort()
  })
  // it may have stopped while the request was being checked
  if (store.index.get(id)?.state !== 'running') controller.abort()
  return { signal: controller.signal, close: unsubscribe }
}

function gone(c: Container): never {
  throw new ContainerError('not_found', `container ${c.name} no longer exists`)
}
