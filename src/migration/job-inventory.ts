/**
 * The migration job's reads and writes in vSphere: the VMs of its scope listed in pages (one ContainerView, one
 * RetrievePropertiesEx or ContinueRetrievePropertiesEx per page of at most 500 VMs), one VM read again after a
 * concurrent change, and the one reconfigure per VM that carries `changeVersion`.
 *
 * A listing costs a fixed handful of calls beside its pages: CreateContainerView, one read of the view's member
 * list (so progress can show a total before the first page arrives), DestroyView; a pool filter (folder and
 * pool both given) adds the same three for the pool. Of each VM's ExtraConfig only the keys the plugins declare
 * are asked for, each as its own property path (`config.extraConfig["key"]`, which vCenter and govcsim answer
 * with that OptionValue alone), together with the keys that tell a container from the appliance: 14 keys, about
 * 2.5 KB of XML per VM where the whole ExtraConfig of a VIC container is about 13.5 KB (bench/migrate.ts: 24.5 MB
 * against 136 MB for 10 000 VMs). A plugin that
 * reads `'all'` brings back the whole array for every VM. Pages are read with the client's streaming reader,
 * which decodes one VM at a time as the answer arrives and hands it to the caller's `keep` (the job keeps the
 * VM's plan), so neither a page's XML nor its decoded objects are held whole.
 */
import { toObjectProperties } from '../vim/property.js'
import {
  methods,
  isFault,
  moref,
  viewFilterSpec,
  type CallOptions,
  type MoRef,
  type ObjectContent,
  type VimClient,
  type VirtualMachinePowerState,
} from '../vim/index.js'
import { extraConfigFrom, extraConfigPaths } from '../vim/extra-config-paths.js'
import type { ExtraConfigEntry } from './persist.js'
import { targetKeys, type VmSnapshot } from './job-plan.js'
import type { JobScope } from './job-scope.js'
import { migrationRecordKey } from './migration-record.js'
import type { PluginRegistry } from './registry.js'

/**
 * VMs per page: the listing's round trips are ⌈N/500⌉ plus a few. The page's size in memory is what the job keeps
 * of its VMs (their snapshots), since the page is decoded one VM at a time; larger pages would save little.
 */
export const defaultPageSize = 500

export interface ListOptions {
  readonly pageSize?: number
  /** called once, before the first page, with the number of VMs the listing will hand out */
  readonly onTotal?: (total: number) => void
}

/**
 * The ExtraConfig keys the job reads of every VM: what tells the targets apart, the migration record, and every
 * key a plugin declares; undefined (the whole map) when some plugin reads it all.
 */
export function listingKeys(registry: PluginRegistry): readonly string[] | undefined {
  const container = registry.readsOf('container')
  const appliance = registry.readsOf('appliance')
  if (container === undefined || appliance === undefined) return undefined
  return [...new Set([...targetKeys, migrationRecordKey, ...container, ...appliance])].sort()
}

/** The property paths of one VM for the job: its name, what the write checks, and the keys. */
export function listingPaths(keys: readonly string[] | undefined): string[] {
  return ['name', 'config.changeVersion', 'runtime.powerState', ...extraConfigPaths(keys)]
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
  readonly #paths: string[]

  /** `keys`: the ExtraConfig keys to read of each VM (listingKeys), undefined for the whole ExtraConfig */
  constructor(
    private readonly client: VimClient,
    private readonly keys: readonly string[] | undefined,
  ) {
    this.#paths = listingPaths(keys)
  }

  /**
   * The VMs of `scope`, page by page, each as `keep` makes it of its snapshot as soon as its part of the page is
   * decoded: neither a page's XML nor its decoded objects are ever held whole, nor the snapshots, unless `keep`
   * keeps them. Stopping early destroys the view and cancels the rest.
   */
  async *pages<T>(
    scope: JobScope,
    keep: (vm: VmSnapshot) => T,
    options: ListOptions = {},
  ): AsyncGenerator<T[], void, undefined> {
    const call: CallOptions = { opId: 'migrate-list' }
    const inPool = scope.pool ? new Set((await this.#members(scope.pool, call)).map((m) => m.value)) : undefined
    const view = await this.#createView(scope.container, call)
    try {
      const members = await this.#viewMembers(view, call)
      options.onTotal?.(inPool ? members.filter((m) => inPool.has(m.value)).length : members.length)
      const spec = viewFilterSpec(view, 'ContainerView', 'VirtualMachine', this.#paths)
      const each = (content: ObjectContent): T | undefined => {
        if (inPool && !inPool.has(content.obj.value)) return undefined
        const { obj, props } = toObjectProperties(content)
        return keep(snapshotFrom(obj, props, this.keys))
      }
      const maxObjects = options.pageSize ?? defaultPageSize
      for await (const vms of this.client.retrievePagesEach([spec], each, { maxObjects, ...call })) {
        this.calls.pages++
        if (vms.length > 0) yield vms
      }
    } finally {
      await this.#destroyView(view)
    }
  }

  /** The VM as it is now; undefined when it no longer exists. */
  async read(vm: MoRef<'VirtualMachine'>, opId: string): Promise<VmSnapshot | undefined> {
    try {
      const found = await this.client.retrieveOne(vm, this.#paths, { opId })
      // vSphere answers an object deleted meanwhile with a fault, or (some versions) with nothing at all
      return found.props['name'] === undefined ? undefined : snapshotFrom(found.obj, found.props, this.keys)
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

function snapshotFrom(
  obj: MoRef,
  props: Readonly<Record<string, unknown>>,
  keys: readonly string[] | undefined,
): VmSnapshot {
  return {
    // a new reference rather than the decoded one: the decoded `type` is a slice of the text the object was cut
    // from, and V8 keeps all of that text alive for as long as the slice lives (here: until the VM is written)
    vm: moref('VirtualMachine', obj.value),
    name: String(props['name'] ?? ''),
    changeVersion: String(props['config.changeVersion'] ?? ''),
    powerState: (props['runtime.powerState'] as VirtualMachinePowerState | undefined) ?? 'poweredOff',
    extraConfig: extraConfigFrom(props, keys),
  }
}
