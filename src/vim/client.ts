/**
 * The client the rest of portlayer uses: `connect(options)` negotiates the API version, reads the
 * ServiceContent and logs in; the returned `VimClient` offers property reads, container listings, task
 * operations that wait for their outcome, datastore file access, and `close()` (log out, stop the watcher, drop
 * the connections). It knows vSphere, never containers.
 *
 * Layers, innermost first: HTTP (agent, cookie, bound, timeout) → SOAP (codec) → retry (transient faults, resets
 * on idempotent calls) → session (re-login, keepalive). `client.rt` is the outermost, for calling any method in
 * methods.ts directly.
 */

import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { serviceVersion } from '../version.js'
import { DatastoreFiles } from './datastore-files.js'
import { silentLogger } from './logging.js'
import * as m from './methods.js'
import type { MoRef } from './moref.js'
import { retrieveProperties, type ObjectProperties, type RetrieveOptions } from './property.js'
import { retrievePagesEach } from './property-stream.js'
import { RetryingRoundTripper, defaultRetryPolicy, type RetryPolicy } from './retry.js'
import type { CallOptions, RoundTripper } from './round-tripper.js'
import { Session } from './session.js'
import { runTask, waitForTask, type TaskContext, type TaskOptions } from './task.js'
import { TaskWatcher, type TaskWatcherOptions } from './task-watcher.js'
import type { TlsOptions } from './transport/agent.js'
import { HttpTransport } from './transport/http.js'
import { bootstrapVersion, fetchServiceVersion } from './transport/service-version.js'
import { SoapRoundTripper } from './transport/soap.js'
import type {
  HostDatastoreBrowserSearchResults,
  HostDatastoreBrowserSearchSpec,
  ServiceContent,
  UserSession,
  VirtualMachineConfigSpec,
} from './types.js'
import { containerPages, listContainer, viewFilterSpec } from './view.js'
import type { ObjectContent, PropertyFilterSpec, UpdateSet } from './types.js'
import { runUpdateLoop } from './wait-for-updates.js'

export interface ConnectOptions {
  /** The SDK URL, e.g. https://vc.example.com/sdk; user and password may be in it (they are removed). */
  readonly url: string | URL
  readonly username?: string
  readonly password?: string
  readonly tls?: TlsOptions & {
    /** A PEM file of CA certificates to trust (read once, at connect). */
    readonly caFile?: string
  }
  /** Calls in flight at once (long polls excepted). Default 8. */
  readonly maxConcurrent?: number
  /** Per-call timeout in ms. Default 60 s. */
  readonly timeoutMs?: number
  /** Keepalive after this long idle, in ms; 0 turns it off. Default 10 min. */
  readonly keepAliveMs?: number
  /** Skip version negotiation and use this vim25 version. */
  readonly version?: string
  readonly logger?: Logger
  readonly retry?: Partial<RetryPolicy>
  readonly tasks?: Pick<TaskWatcherOptions, 'mode' | 'pollIntervalMs' | 'maxWaitSeconds' | 'idleMs'>
  readonly signal?: AbortSignal
}

/** Connects and logs in; throws VimUnreachable, VimCertificateUntrusted or a VimFault (InvalidLogin). */
export async function connect(options: ConnectOptions): Promise<VimClient> {
  const { url, username, password } = splitCredentials(options)
  const log = (options.logger ?? silentLogger()).child({ component: 'vim', endpoint: url.origin })
  const tls: TlsOptions = {
    ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
    ...(options.tls?.caFile !== undefined ? { ca: readFileSync(options.tls.caFile) } : {}),
    ...(options.tls?.thumbprint !== undefined ? { thumbprint: options.tls.thumbprint } : {}),
    ...(options.tls?.insecure ? { insecure: true } : {}),
  }
  const http = new HttpTransport({
    url,
    tls,
    maxConcurrent: options.maxConcurrent ?? 8,
    timeoutMs: options.timeoutMs ?? 60_000,
    userAgent: `portlayer/${serviceVersion}`,
  })
  const soap = new SoapRoundTripper(http, options.version ?? bootstrapVersion, log)
  const retryPolicy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry }
  const retrying = new RetryingRoundTripper(soap, retryPolicy)
  const call: CallOptions = { opId: 'connect', ...(options.signal ? { signal: options.signal } : {}) }
  try {
    // the version document and the ServiceContent are independent: ask for both at once
    const [negotiated, content] = await Promise.all([
      options.version ? Promise.resolve(options.version) : fetchServiceVersion(http, options.signal),
      m.retrieveServiceContent(retrying, call),
    ])
    soap.version = negotiated ?? content.about.apiVersion ?? bootstrapVersion
    if (!content.sessionManager) throw new TypeError(`${url.origin} has no SessionManager`)
    const session = new Session(retrying, http, content.sessionManager, {
      username,
      password,
      keepAliveMs: options.keepAliveMs ?? 600_000,
      log,
    })
    const user = await session.login(call)
    log.info({ apiVersion: soap.version, apiType: content.about.apiType }, 'connected to vSphere')
    return new VimClient(http, soap, session, content, user, log, retryPolicy, options.tasks ?? {})
  } catch (err) {
    http.close()
    throw err
  }
}

function splitCredentials(options: ConnectOptions): { url: URL; username: string; password: string } {
  const url = new URL(options.url)
  const username = options.username ?? decodeURIComponent(url.username)
  const password = options.password ?? decodeURIComponent(url.password)
  url.username = ''
  url.password = ''
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/sdk'
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('the vSphere URL must be http(s)')
  if (!username || !password) throw new TypeError('a vSphere user name and password are required')
  return { url, username, password }
}

export class VimClient {
  /** The outermost round tripper (session, retry, SOAP), for any method in methods.ts. */
  readonly rt: RoundTripper
  readonly files: DatastoreFiles
  readonly tasks: TaskWatcher
  readonly #taskContext: TaskContext
  #closed = false
  #writeGuard: ((write: string) => void) | undefined

  constructor(
    private readonly http: HttpTransport,
    private readonly soap: SoapRoundTripper,
    readonly session: Session,
    readonly serviceContent: ServiceContent,
    readonly user: UserSession,
    private readonly log: Logger,
    retryPolicy: RetryPolicy,
    taskOptions: ConnectOptions['tasks'] & object,
  ) {
    // every call of the client goes through here: a write (a method marked `writes`) asks the guard first
    this.rt = {
      roundTrip: (method, args, options) => {
        if (method.writes) this.#writeGuard?.(method.name)
        return session.roundTrip(method, args, options)
      },
    }
    this.files = new DatastoreFiles(
      http,
      (seen) => session.renew(seen),
      () => session.generation,
      () => this.#writeGuard?.('datastore file PUT'),
    )
    this.tasks = new TaskWatcher(session, {
      propertyCollector: serviceContent.propertyCollector,
      viewManager: serviceContent.viewManager,
      log,
      ...taskOptions,
    })
    this.#taskContext = { rt: session, propertyCollector: serviceContent.propertyCollector, watcher: this.tasks, retryPolicy }
  }

  /**
   * Asks `guard` before every write the client sends, with the write's name (the methods marked `writes`, through
   * `rt` and the helpers below, and datastore file uploads; not `session`, which stays unguarded for whoever holds
   * the right to write, such as a lease). The guard refuses by throwing.
   */
  guardWrites(guard: ((write: string) => void) | undefined): void {
    this.#writeGuard = guard
  }

  /** scheme://host:port of the server. */
  get endpoint(): string {
    return this.http.endpoint
  }

  /** The vim25 version in use (what SOAPAction says). */
  get apiVersion(): string {
    return this.soap.version
  }

  /** HTTP requests sent so far (SOAP calls and file transfers). */
  get requestCount(): number {
    return this.http.requestCount
  }

  get propertyCollector(): MoRef<'PropertyCollector'> {
    return this.serviceContent.propertyCollector
  }

  /** The server's clock; a cheap proof that vSphere answers and the session is valid. */
  ping(options?: CallOptions): Promise<Date> {
    return m.currentTime(this.rt, options)
  }

  // ---- reads

  /** `paths` of each object, one round trip per page. */
  retrieve<P extends Record<string, unknown> = Record<string, unknown>>(
    objects: readonly MoRef[],
    paths: readonly string[],
    options?: RetrieveOptions,
  ): Promise<ObjectProperties<P>[]> {
    return retrieveProperties<P>(this.rt, this.propertyCollector, objects, paths, options)
  }

  /** `paths` of one object. */
  async retrieveOne<P extends Record<string, unknown> = Record<string, unknown>>(
    object: MoRef,
    paths: readonly string[],
    options?: CallOptions,
  ): Promise<ObjectProperties<P>> {
    const [found] = await this.retrieve<P>([object], paths, options)
    return found ?? { obj: object, props: {}, missing: {} }
  }

  /** Every `type` object under `container` (a folder, datacenter, the root folder) with `paths` read. */
  list<P extends Record<string, unknown> = Record<string, unknown>>(
    container: MoRef,
    type: string,
    paths: readonly string[],
    options?: RetrieveOptions & { recursive?: boolean },
  ): Promise<ObjectProperties<P>[]> {
    return listContainer<P>(this.rt, this.#viewRefs(), container, type, paths, options)
  }

  /** The same as `list`, page by page; stopping early cancels the rest and destroys the view. */
  listPages(
    container: MoRef,
    type: string,
    paths: readonly string[],
    options?: RetrieveOptions & { recursive?: boolean },
  ): AsyncGenerator<ObjectContent[], void, undefined> {
    return containerPages(this.rt, this.#viewRefs(), container, type, paths, options)
  }

  /**
   * The pages of a retrieval, each object decoded as its part of the answer arrives and handed to `each`; a page
   * is the list of what `each` returned. For retrievals whose pages are too large to hold decoded
   * (property-stream.ts); stopping early cancels the rest.
   */
  retrievePagesEach<T>(
    specSet: PropertyFilterSpec[],
    each: (content: ObjectContent) => T | undefined,
    options?: RetrieveOptions,
  ): AsyncGenerator<T[], void, undefined> {
    const context = {
      http: this.http,
      apiVersion: () => this.soap.version,
      session: this.session,
      rt: this.rt,
      retryPolicy: this.#taskContext.retryPolicy ?? defaultRetryPolicy,
      closed: () => this.#closed,
    }
    return retrievePagesEach(context, this.propertyCollector, specSet, each, options)
  }

  #viewRefs(): { propertyCollector: MoRef<'PropertyCollector'>; viewManager: MoRef<'ViewManager'> } {
    const viewManager = this.serviceContent.viewManager
    if (!viewManager) throw new TypeError(`${this.endpoint} has no ViewManager`)
    return { propertyCollector: this.propertyCollector, viewManager }
  }

  /** The object at an inventory path such as "/DC0/vm/web" or "DC0/host/C0/Resources", or undefined. */
  findByInventoryPath(path: string, options?: CallOptions): Promise<MoRef | undefined> {
    const searchIndex = this.serviceContent.searchIndex
    if (!searchIndex) throw new TypeError(`${this.endpoint} has no SearchIndex`)
    return m.findByInventoryPath(this.rt, searchIndex, path, options)
  }

  /** The direct child of `entity` (a folder) named `name`, or undefined: one call, whatever the folder holds. */
  findChild(entity: MoRef, name: string, options?: CallOptions): Promise<MoRef | undefined> {
    const searchIndex = this.serviceContent.searchIndex
    if (!searchIndex) throw new TypeError(`${this.endpoint} has no SearchIndex`)
    return m.findChild(this.rt, searchIndex, entity, name, options)
  }

  /**
   * Follows changes: a private collector with one filter per spec, and a WaitForUpdatesEx loop that delivers each
   * update set (the first one holds the current state) until `signal` aborts. `specs` is called again whenever
   * the collector is rebuilt (after a re-login the session's views are gone too, so it may create new ones).
   * Resolves when the loop has ended and the collector is destroyed.
   */
  async watchUpdates(
    specs: () => Promise<readonly PropertyFilterSpec[]> | readonly PropertyFilterSpec[],
    onUpdate: (updates: UpdateSet) => void,
    options: { signal: AbortSignal; maxWaitSeconds?: number },
  ): Promise<void> {
    let collector: MoRef<'PropertyCollector'> | undefined
    const setup = async (): Promise<MoRef<'PropertyCollector'>> => {
      collector = await m.createPropertyCollector(this.rt, this.propertyCollector, { opId: 'watch' })
      for (const spec of await specs()) await m.createFilter(this.rt, collector, spec, true, { opId: 'watch' })
      return collector
    }
    try {
      await runUpdateLoop(this.rt, {
        setup,
        onUpdate,
        maxWaitSeconds: options.maxWaitSeconds ?? 60,
        signal: options.signal,
        log: this.log,
      })
    } finally {
      // destroying the collector destroys its filters
      if (collector && !this.#closed) {
        await m.destroyPropertyCollector(this.rt, collector, { opId: 'watch', timeoutMs: 5_000 }).catch(() => undefined)
      }
    }
  }

  /** Follows `paths` of every `type` object under `container` (through a ContainerView, destroyed at the end). */
  async watchContainer(
    container: MoRef,
    type: string,
    paths: readonly string[],
    onUpdate: (updates: UpdateSet) => void,
    options: { signal: AbortSignal; maxWaitSeconds?: number },
  ): Promise<void> {
    const { viewManager } = this.#viewRefs()
    let view: MoRef<'ContainerView'> | undefined
    const specs = async (): Promise<PropertyFilterSpec[]> => {
      view = await m.createContainerView(this.rt, viewManager, container, [type], true, { opId: 'watch' })
      return [viewFilterSpec(view, 'ContainerView', type, paths)]
    }
    try {
      await this.watchUpdates(specs, onUpdate, options)
    } finally {
      if (view && !this.#closed) await m.destroyView(this.rt, view, { opId: 'watch', timeoutMs: 5_000 }).catch(() => undefined)
    }
  }

  // ---- tasks

  waitForTask(task: MoRef<'Task'>, options?: TaskOptions): Promise<unknown> {
    return waitForTask(this.#taskContext, task, options)
  }

  runTask<T = unknown>(start: () => Promise<MoRef<'Task'>>, options?: TaskOptions): Promise<T> {
    return runTask<T>(this.#taskContext, start, options)
  }

  /** Creates a VM; resolves with its reference. A duplicate name fails with DuplicateName. */
  createVM(
    folder: MoRef<'Folder'>,
    config: VirtualMachineConfigSpec,
    pool: MoRef<'ResourcePool'>,
    options: TaskOptions & { host?: MoRef<'HostSystem'> } = {},
  ): Promise<MoRef<'VirtualMachine'>> {
    // a creation is never re-issued: a transient failure may hide a VM that was made
    return this.runTask(() => m.createVMTask(this.rt, folder, config, pool, options.host, options), {
      ...options,
      transientRetries: 0,
    })
  }

  /** Reconfigures a VM; with `spec.changeVersion` set a concurrent change fails with ConcurrentAccess. */
  async reconfigureVM(vm: MoRef<'VirtualMachine'>, spec: VirtualMachineConfigSpec, options?: TaskOptions): Promise<void> {
    await this.runTask(() => m.reconfigVMTask(this.rt, vm, spec, options), options)
  }

  async rename(entity: MoRef, newName: string, options?: TaskOptions): Promise<void> {
    await this.runTask(() => m.renameTask(this.rt, entity, newName, options), options)
  }

  async powerOn(vm: MoRef<'VirtualMachine'>, options?: TaskOptions): Promise<void> {
    await this.runTask(() => m.powerOnVMTask(this.rt, vm, undefined, options), options)
  }

  async powerOff(vm: MoRef<'VirtualMachine'>, options?: TaskOptions): Promise<void> {
    await this.runTask(() => m.powerOffVMTask(this.rt, vm, options), options)
  }

  /** Asks the guest to shut down; the VM powers off when the guest is done (watch runtime.powerState). */
  shutdownGuest(vm: MoRef<'VirtualMachine'>, options?: CallOptions): Promise<void> {
    return m.shutdownGuest(this.rt, vm, options)
  }

  /** Destroys a managed entity (a powered-off VM: its folder is deleted with it). */
  async destroy(entity: MoRef, options?: TaskOptions): Promise<void> {
    await this.runTask(() => m.destroyTask(this.rt, entity, options), options)
  }

  /** Creates a datastore folder, e.g. "[LocalDS_0] logs". */
  makeDirectory(
    datastorePath: string,
    datacenter: MoRef<'Datacenter'>,
    createParents: boolean,
    options?: CallOptions,
  ): Promise<void> {
    return m.makeDirectory(this.rt, this.#fileManager(), datastorePath, datacenter, createParents, options)
  }

  /** Deletes a datastore file or folder (recursively). */
  async deleteDatastoreFile(datastorePath: string, datacenter: MoRef<'Datacenter'>, options?: TaskOptions): Promise<void> {
    await this.runTask(() => m.deleteDatastoreFileTask(this.rt, this.#fileManager(), datastorePath, datacenter, options), options)
  }

  /** Lists a datastore folder through a HostDatastoreBrowser (`matchPattern` defaults to every file). */
  searchDatastore(
    browser: MoRef<'HostDatastoreBrowser'>,
    datastorePath: string,
    spec: HostDatastoreBrowserSearchSpec = {},
    options?: TaskOptions,
  ): Promise<HostDatastoreBrowserSearchResults> {
    // an empty matchPattern matches nothing (vcsim), so ask for everything explicitly
    const searchSpec = { matchPattern: ['*'], ...spec }
    return this.runTask(() => m.searchDatastoreTask(this.rt, browser, datastorePath, searchSpec, options), options)
  }

  #fileManager(): MoRef<'FileManager'> {
    const fileManager = this.serviceContent.fileManager
    if (!fileManager) throw new TypeError(`${this.endpoint} has no FileManager`)
    return fileManager
  }

  /** Stops the task watcher, logs out and closes the connections. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.tasks.close()
    await this.session.close()
    this.http.close()
    this.log.debug('vSphere client closed')
  }
}
