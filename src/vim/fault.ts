/**
 * vSphere faults as errors. A `VimFault` carries the fault's type name (`faultType`, e.g. "DuplicateName"), its
 * fields (`name`, `object`, `file`, …), the server's message and the `faultCause` chain. The same class is used
 * for a SOAP fault answering a call and for a task's `info.error` (a LocalizedMethodFault), so callers test both
 * the same way: `isFault(err, 'ConcurrentAccess')`, which follows `faultCause`, JS `cause` and aggregate errors,
 * and matches subtypes (`isFault(err, 'InvalidState')` is true for an InvalidPowerState).
 *
 * The class is branded with a global symbol, like inversify's errors, so the check works across two copies of
 * this module.
 */

import type { MoRef } from './moref.js'
import { isSubtypeOf } from './schema/registry.js'
import type { LocalizableMessage, LocalizedMethodFault, MethodFaultData } from './types.js'

const brand = Symbol.for('portlayer.vim.VimFault')

export class VimFault extends Error {
  override readonly name = 'VimFault'
  readonly [brand] = true
  /** The fault's own fields, e.g. `{ name, object }` for DuplicateName. */
  readonly fields: Readonly<Record<string, unknown>>
  readonly faultCause?: VimFault
  readonly faultMessage?: readonly LocalizableMessage[]
  /** The task whose `info.error` this fault is, when it came from a task. */
  readonly task?: MoRef<'Task'>

  constructor(
    readonly faultType: string,
    message: string,
    fields: Readonly<Record<string, unknown>> = {},
    options: { faultCause?: VimFault; faultMessage?: readonly LocalizableMessage[]; task?: MoRef<'Task'> } = {},
  ) {
    super(`${faultType}: ${withoutSessionKeys(message)}`)
    this.fields = fields
    if (options.faultCause) this.faultCause = options.faultCause
    if (options.faultMessage) this.faultMessage = options.faultMessage
    if (options.task) this.task = options.task
  }

  static is(value: unknown): value is VimFault {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true
  }

  /** The fault a decoded MethodFault object stands for; `serverMessage` is faultstring or localizedMessage. */
  static fromData(data: MethodFaultData, serverMessage?: string, task?: MoRef<'Task'>): VimFault {
    const { _type, faultCause, faultMessage, ...fields } = data
    const faultType = _type ?? 'MethodFault'
    const cause = faultCause ? VimFault.fromLocalized(faultCause) : undefined
    return new VimFault(faultType, describe(faultType, fields, serverMessage), fields, {
      ...(cause ? { faultCause: cause } : {}),
      ...(faultMessage && faultMessage.length > 0 ? { faultMessage } : {}),
      ...(task ? { task } : {}),
    })
  }

  static fromLocalized(lmf: LocalizedMethodFault, task?: MoRef<'Task'>): VimFault {
    return VimFault.fromData(lmf.fault, lmf.localizedMessage, task)
  }
}

// Session-scoped objects (a session's PropertyCollector, views) are named `session[<key>]<id>`, and vcsim puts
// the session cookie's value in the brackets; a message naming one would carry it into every log line and answer.
const sessionScopedRef = /session\[[^\]]*\]/g

function withoutSessionKeys(message: string): string {
  return message.replace(sessionScopedRef, 'session[…]')
}

/** True when `err`, or any fault or error it wraps, is a vSphere fault of type `faultType` or a subtype of it. */
export function isFault(err: unknown, faultType: string): boolean {
  return findFault(err, faultType) !== undefined
}

/** The first fault of type `faultType` (or a subtype) found in `err` and what it wraps. */
export function findFault(err: unknown, faultType: string): VimFault | undefined {
  const seen = new Set<unknown>()
  const queue: unknown[] = [err]
  while (queue.length > 0) {
    const e = queue.shift()
    if (e === undefined || e === null || seen.has(e)) continue
    seen.add(e)
    if (VimFault.is(e)) {
      if (e.faultType === faultType || isSubtypeOf(e.faultType, faultType)) return e
      queue.push(e.faultCause)
    }
    if (e instanceof AggregateError) queue.push(...(e.errors as unknown[]))
    if (e instanceof Error) queue.push(e.cause)
  }
  return undefined
}

// Messages for faults vcsim sends without text (its task errors read "*types.DuplicateName") and vCenter sends
// in the server's locale; each says what happened in terms a caller can act on.
const defaults: Record<string, (f: Record<string, unknown>) => string> = {
  NotAuthenticated: () => 'the vSphere session is not logged in (it expired or was closed); log in again',
  InvalidLogin: () => 'vSphere refused the user name or password',
  ManagedObjectNotFound: (f) => `${ref(f['obj'])} no longer exists on the server`,
  DuplicateName: (f) => `the name "${String(f['name'])}" is already used by ${ref(f['object'])}`,
  AlreadyExists: (f) => `"${String(f['name'])}" already exists`,
  ConcurrentAccess: () => 'the object was changed by another operation since it was read; read it again and retry',
  TaskInProgress: (f) => `the object is busy with ${ref(f['task'])}; retry when it finishes`,
  InvalidPowerState: (f) =>
    `the VM is ${String(f['existingState'] ?? 'in another power state')}` +
    (f['requestedState'] ? `, the operation needs ${String(f['requestedState'])}` : ''),
  InvalidState: () => 'the operation is not allowed in the current state of the object',
  FileNotFound: (f) => `file not found: ${String(f['file'])}`,
  FileAlreadyExists: (f) => `file already exists: ${String(f['file'])}`,
  InvalidArgument: (f) => `invalid argument${f['invalidProperty'] ? ` "${String(f['invalidProperty'])}"` : ''}`,
  InvalidProperty: (f) => `invalid property path "${String(f['name'])}"`,
  MethodNotFound: (f) => `the server does not implement ${String(f['method'])}`,
  InvalidDatastorePath: (f) => `invalid datastore path "${String(f['datastorePath'])}"`,
  InvalidVmConfig: (f) => `invalid VM configuration${f['property'] ? ` (${String(f['property'])})` : ''}`,
  RequestCanceled: () => 'the request was canceled',
}

function ref(value: unknown): string {
  const r = value as MoRef | undefined
  return r && typeof r.type === 'string' ? `${r.type} ${r.value}` : 'the object'
}

function describe(faultType: string, fields: Record<string, unknown>, serverMessage: string | undefined): string {
  const server = serverMessage?.trim()
  if (server && !server.startsWith('*types.')) return server
  const make = defaults[faultType]
  return make ? make(fields) : `vSphere answered with a ${faultType} fault`
}
