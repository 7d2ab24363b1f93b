/**
 * Listing objects through a ContainerView: create the view, read the wanted paths of every object in it (paged),
 * destroy the view. A view left open is a server-side listener notified on every inventory change, so the view
 * is destroyed in `finally`, also when the reader stops early or fails. Listing N VMs costs
 * CreateContainerView + one RetrievePropertiesEx per page + DestroyView.
 */

import { createContainerView, destroyView } from './methods.js'
import type { MoRef } from './moref.js'
import { retrievePages, toObjectProperties, type ObjectProperties, type RetrieveOptions } from './property.js'
import type { CallOptions, RoundTripper } from './round-tripper.js'
import type { ObjectContent, PropertyFilterSpec } from './types.js'

export interface ViewRefs {
  readonly propertyCollector: MoRef<'PropertyCollector'>
  readonly viewManager: MoRef<'ViewManager'>
}

/** A filter spec reading `paths` of every `type` object a view holds (the view itself is skipped). */
export function viewFilterSpec(
  view: MoRef,
  viewType: 'ContainerView' | 'ListView',
  type: string,
  paths: readonly string[],
): PropertyFilterSpec {
  return {
    propSet: [{ type, pathSet: [...paths] }],
    objectSet: [
      {
        obj: view,
        skip: true,
        selectSet: [{ _type: 'TraversalSpec', name: 'viewContents', type: viewType, path: 'view', skip: false }],
      },
    ],
  }
}

/** Runs `use` with a ContainerView of `container`, and destroys the view whatever happens. */
export async function withContainerView<T>(
  rt: RoundTripper,
  refs: ViewRefs,
  container: MoRef,
  types: readonly string[],
  use: (view: MoRef<'ContainerView'>) => Promise<T>,
  options: CallOptions & { recursive?: boolean } = {},
): Promise<T> {
  const { recursive = true, ...call } = options
  const view = await createContainerView(rt, refs.viewManager, container, [...types], recursive, call)
  try {
    return await use(view)
  } finally {
    await destroyView(rt, view, { ...(call.opId ? { opId: call.opId } : {}) }).catch(() => undefined)
  }
}

/** Pages of `paths` of every `type` object under `container` (recursive by default). */
export async function* containerPages(
  rt: RoundTripper,
  refs: ViewRefs,
  container: MoRef,
  type: string,
  paths: readonly string[],
  options: RetrieveOptions & { recursive?: boolean } = {},
): AsyncGenerator<ObjectContent[], void, undefined> {
  const { recursive = true, ...retrieve } = options
  const call: CallOptions = {
    ...(retrieve.opId ? { opId: retrieve.opId } : {}),
    ...(retrieve.signal ? { signal: retrieve.signal } : {}),
  }
  const view = await createContainerView(rt, refs.viewManager, container, [type], recursive, call)
  try {
    yield* retrievePages(rt, refs.propertyCollector, [viewFilterSpec(view, 'ContainerView', type, paths)], retrieve)
  } finally {
    await destroyView(rt, view, { ...(call.opId ? { opId: call.opId } : {}) }).catch(() => undefined)
  }
}

/** Every `type` object under `container` with `paths` read. */
export async function listContainer<P extends Record<string, unknown> = Record<string, unknown>>(
  rt: RoundTripper,
  refs: ViewRefs,
  container: MoRef,
  type: string,
  paths: readonly string[],
  options: RetrieveOptions & { recursive?: boolean } = {},
): Promise<ObjectProperties<P>[]> {
  const out: ObjectProperties<P>[] = []
  for await (const page of containerPages(rt, refs, container, type, paths, options)) {
    for (const content of page) out.push(toObjectProperties<P>(content))
  }
  return out
}
