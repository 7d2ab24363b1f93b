/**
 * Reading properties through the PropertyCollector: N objects × M paths in one RetrievePropertiesEx, paged with
 * `maxObjects` and ContinueRetrievePropertiesEx, and the server-side result cancelled with
 * CancelRetrievePropertiesEx when the reader stops early (vCenter keeps an unread result until the session
 * ends). Each object comes back as a path → value record plus the paths the server could not read.
 */

import { VimFault } from './fault.js'
import { cancelRetrievePropertiesEx, continueRetrievePropertiesEx, retrievePropertiesEx } from './methods.js'
import type { MoRef } from './moref.js'
import type { CallOptions, RoundTripper } from './round-tripper.js'
import type { ObjectContent, ObjectSpec, PropertyFilterSpec, PropertySpec, RetrieveResult } from './types.js'

export interface ObjectProperties<P extends Record<string, unknown> = Record<string, unknown>> {
  readonly obj: MoRef
  /** Path → value for every path the server returned (an unset property is absent). */
  readonly props: Partial<P>
  /** Path → why it could not be read (InvalidProperty, NoPermission, …). */
  readonly missing: Readonly<Record<string, VimFault>>
}

export interface RetrieveOptions extends CallOptions {
  /** Objects per page; the server may send fewer. vCenter's own default applies when unset. */
  readonly maxObjects?: number
}

export function toObjectProperties<P extends Record<string, unknown>>(content: ObjectContent): ObjectProperties<P> {
  const props: Record<string, unknown> = {}
  for (const p of content.propSet) props[p.name] = p.val
  const missing: Record<string, VimFault> = {}
  for (const m of content.missingSet) missing[m.path] = VimFault.fromLocalized(m.fault)
  return { obj: content.obj, props: props as Partial<P>, missing }
}

/** One filter spec reading `paths` of each of `objects` (grouped into one PropertySpec per managed type). */
export function objectsFilterSpec(objects: readonly MoRef[], paths: readonly string[]): PropertyFilterSpec {
  const types = [...new Set(objects.map((o) => o.type))]
  const propSet: PropertySpec[] = types.map((type) => ({ type, pathSet: [...paths] }))
  const objectSet: ObjectSpec[] = objects.map((obj) => ({ obj }))
  return { propSet, objectSet }
}

/**
 * The pages of a retrieval, as they arrive. Stopping the iteration early (break, throw, abort) cancels what the
 * server still holds.
 */
export async function* retrievePages(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  specSet: PropertyFilterSpec[],
  options: RetrieveOptions = {},
): AsyncGenerator<ObjectContent[], void, undefined> {
  const { maxObjects, ...call } = options
  let page: RetrieveResult | undefined = await retrievePropertiesEx(
    rt,
    collector,
    specSet,
    maxObjects !== undefined ? { maxObjects } : {},
    call,
  )
  let token = page?.token
  try {
    while (page) {
      yield page.objects
      if (token === undefined) return
      call.signal?.throwIfAborted()
      page = await continueRetrievePropertiesEx(rt, collector, token, call)
      token = page.token
    }
  } finally {
    if (token !== undefined) {
      // the reader stopped before the last page; best effort, the caller's error (if any) matters more
      await cancelRetrievePropertiesEx(rt, collector, token, { ...(call.opId ? { opId: call.opId } : {}) }).catch(
        () => undefined,
      )
    }
  }
}

/** Every object of a retrieval, all pages read. */
export async function retrieveAll<P extends Record<string, unknown> = Record<string, unknown>>(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  specSet: PropertyFilterSpec[],
  options: RetrieveOptions = {},
): Promise<ObjectProperties<P>[]> {
  const out: ObjectProperties<P>[] = []
  for await (const page of retrievePages(rt, collector, specSet, options)) {
    for (const content of page) out.push(toObjectProperties<P>(content))
  }
  return out
}

/** `paths` of each of `objects`, in one round trip per page; results in the server's order. */
export function retrieveProperties<P extends Record<string, unknown> = Record<string, unknown>>(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  objects: readonly MoRef[],
  paths: readonly string[],
  options: RetrieveOptions = {},
): Promise<ObjectProperties<P>[]> {
  if (objects.length === 0) return Promise.resolve([])
  return retrieveAll<P>(rt, collector, [objectsFilterSpec(objects, paths)], options)
}
