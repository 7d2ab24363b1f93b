/**
 * The migration job's reads and writes in vSphere: the VMs of its scope listed in pages (one ContainerView, one
 * RetrievePropertiesEx or ContinueRetrievePropertiesEx per page of at most 500 VMs), one VM read again after a
 * concurrent change, and the one reconfigure per VM that carries `changeVersion`.
 *
 * A listing costs a fixed handful of calls beside its pages: CreateContainerView, one read of the view's member
 * list (so progress can show a total before the first page arrives), DestroyView; a pool filter (folder and
 * pool both given) adds the same three for the pool. Only the properties the plan needs are asked for; vcsim
 * cannot select single ExtraConfig keys, and the plugins read the whole map anyway.
 */
import { toObjectProperties } from '../vim/property.js'
import {
  methods,
  isFault,
  viewFilterSpec,
  type CallOptions,
  type MoRef,
  type OptionValue,
  type RetrieveResult,
  type VimClient,
  type VirtualMachinePowerState,
} from '../vim/index.js'
import type { ExtraConfigEntry } from './persist.js'
import { jobVmPaths, type VmSnapshot } from './job-plan.js'
import type { JobScope } from './job-scope.js'

/**
 * VMs per page: a VIC container carries about 12 KB of ExtraConfig as XML, so a page is a few MB, decoded at
 * once by the client; larger pages save little (one round trip per 500 VMs) and cost memory.
 */
export const defaultPageSize = 500

export interface ListOptions {
  readonly pageSize?: number
  /** called once, before the first page, with the number of VMs the listing will hand out */
  readonly onTotal?: (total: number) => void
}

/** The calls of one listing, by what they were for. */
export interface ListingCalls {
  /** RetrievePropertiesEx and ContinueRetrievePropertiesEx of VM properties */
  pages: number
  /** view create/destroy, member lists */
  other: number
}

export class JobInventory {
  readonly calls: ListingCalls = { pages: 0, other: 0 }

  constructor(private readonly client: VimClient) {}

  /** The VMs of `scope`, page by page; stopping early destroys the view and cancels the rest. */
  async *pages(scope: JobScope, options: ListOptions = {}): AsyncGenerator<VmSnapshot[], void, undefined> {
    const call: CallOptions = { opId: 'migrate-list' }
    const inPool = scope.pool ? new Set((await this.#members(scope.pool, call)).map((m) => m.value)) : undefined
    const { rt, propertyCollector } = this.client
    const view = await this.#createView(scope.container, call)
    let token: string | undefined
    try {
      const members = await this.#viewMembers(view, call)
      options.onTotal?.(inPool ? members.filter((m) => inPool.has(m.value)).length : members.length)
      const spec = viewFilterSpec(view, 'ContainerView', 'VirtualMachine', jobVmPaths)
      const maxObjects = options.pageSize ?? defaultPageSize
      let page: RetrieveResult | undefined = await methods.retrievePropertiesEx(
        rt,
        propertyCollector,
        [spec],
        { maxObjects },
        call,
      )
      while (page) {
        this.calls.pages++
        token = page.token
        let vms: VmSnapshot[] | undefined = page.objects
          .filter((content) => !inPool || inPool.has(content.obj.value))
          .map((content) => {
            const { obj, props } = toObjectProperties(content)
            return snapshotFrom(obj, props)
          })
        // A decoded page is many times the size of its snapshots, and the next one is decoded while the caller
        // still writes this one: only the snapshots may stay reachable from here while the next page arrives.
        page = undefined
        if (vms.length > 0) yield vms
        vms = undefined
        if (token === undefined) break
        page = await methods.continueRetrievePropertiesEx(rt, propertyCollector, token, call)
      }
    } finally {
      // vCenter keeps an unread rest until the session ends: cancel it when the caller stopped early
      if (token !== undefined) {
        await methods.cancelRetrievePropertiesEx(rt, propertyCollector, token, call).catch(() => undefined)
      }
      await this.#destroyView(view)
    }
  }

  /** The VM as it is now; undefined when it no longer exists. */
  async read(vm: MoRef<'VirtualMachine'>, opId: string): Promise<VmSnapshot | undefined> {
    try {
      const found = await this.client.retrieveOne(vm, jobVmPaths, { opId })
      // vSphere answers an object deleted meanwhile with a fault, or (some versions) with nothing at all
      return found.props['name'] === undefined ? undefined : snapshotFrom(found.obj, found.props)
    } catch (err) {
      if (isFault(err, 'ManagedObjectNotFound')) return undefined
      throw err
    }
  }

  /** One reconfigure; with a `changeVersion`, a VM changed since it was read fails with ConcurrentAccess. */
  async write(
    vm: MoRef<'VirtualMachine'>,
    changeVersion: string,
    entries: readonly ExtraConfigEntry[],
    opId: string,
  ): Promise<void> {
    await this.client.reconfigureVM(
      vm,
      {
        ...(changeVersion !== '' ? { changeVersion } : {}),
        extraConfig: entries.map(({ key, value }) => ({ key, value })),
      },
      { opId },
    )
  }

  async #members(container: MoRef, call: CallOptions): Promise<MoRef[]> {
    const view = await this.#createView(container, call)
    try {
      return await this.#viewMembers(view, call)
    } finally {
      await this.#destroyView(view)
    }
  }

  async #createView(container: MoRef, call: CallOptions): Promise<MoRef<'ContainerView'>> {
    const viewManager = this.client.serviceContent.viewManager
    if (!viewManager) throw new TypeError(`${this.client.endpoint} has no ViewManager`)
    this.calls.other++
    return methods.createContainerView(this.client.rt, viewManager, container, ['VirtualMachine'], true, call)
  }

  async #viewMembers(view: MoRef<'ContainerView'>, call: CallOptions): Promise<MoRef[]> {
    this.calls.other++
    const found = await this.client.retrieveOne<{ view: MoRef[] }>(view, ['view'], call)
    return found.props.view ?? []
  }

  async #destroyView(view: MoRef<'ContainerView'>): Promise<void> {
    this.calls.other++
    // an open view is a listener the server feeds on every change: always try, never mask the caller's error
    await methods.destroyView(this.client.rt, view, { opId: 'migrate-list', timeoutMs: 5_000 }).catch(() => undefined)
  }
}

function snapshotFrom(obj: MoRef, props: Readonly<Record<string, unknown>>): VmSnapshot {
  const extraConfig = new Map<string, string>()
  const options = props['config.extraConfig']
  if (Array.isArray(options)) {
    for (const option of options as OptionValue[]) {
      extraConfig.set(option.key, option.value === undefined ? '' : String(option.value))
    }
  }
  return {
    vm: obj as MoRef<'VirtualMachine'>,
    name: String(props['name'] ?? ''),
    changeVersion: String(props['config.changeVersion'] ?? ''),
    powerState: (props['runtime.powerState'] as VirtualMachinePowerState | undefined) ?? 'poweredOff',
    extraConfig,
  }
}
