/**
 * One typed function per vim25 method the service uses, each next to its wire description (parameters in WSDL
 * order, return type, whether it may be sent twice). Functions take the round tripper first, then `_this`, then
 * the method's parameters, then call options, like govmomi's generated `methods` package.
 *
 * Idempotent here means "sending it again after an unknown outcome does no harm": reads, destroys, cancels.
 * Creations (`*_Task`, CreateFilter, views, MakeDirectory) and ContinueRetrievePropertiesEx (a token yields its
 * page once) are not. Session-scoped creations (views, collectors, filters) are marked as such: they may be sent
 * again after a re-login, because what the lost session held is gone with it.
 */

import type { MoRef } from './moref.js'
import type { CallOptions, MethodSpec, RoundTripper } from './round-tripper.js'
import { parseFields } from './schema/registry.js'
import type {
  HostDatastoreBrowserSearchSpec,
  PropertyFilterSpec,
  RetrieveOptions,
  RetrieveResult,
  ServiceContent,
  UpdateSet,
  UserSession,
  VirtualMachineConfigSpec,
  WaitOptions,
} from './types.js'

function method<A, R>(
  name: string,
  params: string,
  returns: string | undefined,
  flags: { idempotent: boolean; sessionScoped?: boolean; longPoll?: boolean; writes?: boolean },
): MethodSpec<A, R> {
  return {
    name,
    params: parseFields(`_this:ManagedObjectReference ${params}`),
    returns: returns === undefined ? undefined : parseFields(`returnval:${returns}`)[0],
    idempotent: flags.idempotent,
    sessionScoped: flags.sessionScoped ?? false,
    longPoll: flags.longPoll ?? false,
    writes: flags.writes ?? false,
  }
}

type This<T extends string> = { _this: MoRef<T> }

const serviceInstance = { type: 'ServiceInstance', value: 'ServiceInstance' } as const satisfies MoRef

// ---- ServiceInstance

export const RetrieveServiceContent = method<This<'ServiceInstance'>, ServiceContent>(
  'RetrieveServiceContent',
  '',
  'ServiceContent',
  { idempotent: true },
)
export function retrieveServiceContent(rt: RoundTripper, options?: CallOptions): Promise<ServiceContent> {
  return rt.roundTrip(RetrieveServiceContent, { _this: serviceInstance }, options)
}

export const CurrentTime = method<This<'ServiceInstance'>, Date>('CurrentTime', '', 'dateTime', { idempotent: true })
export function currentTime(rt: RoundTripper, options?: CallOptions): Promise<Date> {
  return rt.roundTrip(CurrentTime, { _this: serviceInstance }, options)
}

// ---- SessionManager

export const Login = method<
  This<'SessionManager'> & { userName: string; password: string; locale?: string },
  UserSession
>('Login', 'userName:string password:string locale:string', 'UserSession', { idempotent: false })
export function login(
  rt: RoundTripper,
  sessionManager: MoRef<'SessionManager'>,
  userName: string,
  password: string,
  options?: CallOptions,
): Promise<UserSession> {
  return rt.roundTrip(Login, { _this: sessionManager, userName, password }, options)
}

export const Logout = method<This<'SessionManager'>, void>('Logout', '', undefined, { idempotent: true })
export function logout(rt: RoundTripper, sessionManager: MoRef<'SessionManager'>, options?: CallOptions): Promise<void> {
  return rt.roundTrip(Logout, { _this: sessionManager }, options)
}

export const SessionIsActive = method<This<'SessionManager'> & { sessionID: string; userName: string }, boolean>(
  'SessionIsActive',
  'sessionID:string userName:string',
  'boolean',
  { idempotent: true },
)
export function sessionIsActive(
  rt: RoundTripper,
  sessionManager: MoRef<'SessionManager'>,
  sessionID: string,
  userName: string,
  options?: CallOptions,
): Promise<boolean> {
  return rt.roundTrip(SessionIsActive, { _this: sessionManager, sessionID, userName }, options)
}

// ---- PropertyCollector

export const RetrievePropertiesEx = method<
  This<'PropertyCollector'> & { specSet: PropertyFilterSpec[]; options: RetrieveOptions },
  RetrieveResult | undefined
>('RetrievePropertiesEx', 'specSet:PropertyFilterSpec[] options:RetrieveOptions', 'RetrieveResult', {
  idempotent: true,
})
export function retrievePropertiesEx(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  specSet: PropertyFilterSpec[],
  retrieveOptions: RetrieveOptions = {},
  options?: CallOptions,
): Promise<RetrieveResult | undefined> {
  return rt.roundTrip(RetrievePropertiesEx, { _this: collector, specSet, options: retrieveOptions }, options)
}

export const ContinueRetrievePropertiesEx = method<This<'PropertyCollector'> & { token: string }, RetrieveResult>(
  'ContinueRetrievePropertiesEx',
  'token:string',
  'RetrieveResult',
  { idempotent: false },
)
export function continueRetrievePropertiesEx(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  token: string,
  options?: CallOptions,
): Promise<RetrieveResult> {
  return rt.roundTrip(ContinueRetrievePropertiesEx, { _this: collector, token }, options)
}

export const CancelRetrievePropertiesEx = method<This<'PropertyCollector'> & { token: string }, void>(
  'CancelRetrievePropertiesEx',
  'token:string',
  undefined,
  { idempotent: true },
)
export function cancelRetrievePropertiesEx(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  token: string,
  options?: CallOptions,
): Promise<void> {
  return rt.roundTrip(CancelRetrievePropertiesEx, { _this: collector, token }, options)
}

export const CreateFilter = method<
  This<'PropertyCollector'> & { spec: PropertyFilterSpec; partialUpdates: boolean },
  MoRef<'PropertyFilter'>
>('CreateFilter', 'spec:PropertyFilterSpec partialUpdates:boolean', 'ManagedObjectReference', {
  idempotent: false, sessionScoped: true,
})
export function createFilter(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  spec: PropertyFilterSpec,
  partialUpdates: boolean,
  options?: CallOptions,
): Promise<MoRef<'PropertyFilter'>> {
  return rt.roundTrip(CreateFilter, { _this: collector, spec, partialUpdates }, options)
}

export const DestroyPropertyFilter = method<This<'PropertyFilter'>, void>('DestroyPropertyFilter', '', undefined, {
  idempotent: true,
})
export function destroyPropertyFilter(
  rt: RoundTripper,
  filter: MoRef<'PropertyFilter'>,
  options?: CallOptions,
): Promise<void> {
  return rt.roundTrip(DestroyPropertyFilter, { _this: filter }, options)
}

export const CreatePropertyCollector = method<This<'PropertyCollector'>, MoRef<'PropertyCollector'>>(
  'CreatePropertyCollector',
  '',
  'ManagedObjectReference',
  { idempotent: false, sessionScoped: true },
)
export function createPropertyCollector(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  options?: CallOptions,
): Promise<MoRef<'PropertyCollector'>> {
  return rt.roundTrip(CreatePropertyCollector, { _this: collector }, options)
}

export const DestroyPropertyCollector = method<This<'PropertyCollector'>, void>(
  'DestroyPropertyCollector',
  '',
  undefined,
  { idempotent: true },
)
export function destroyPropertyCollector(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  options?: CallOptions,
): Promise<void> {
  return rt.roundTrip(DestroyPropertyCollector, { _this: collector }, options)
}

export const WaitForUpdatesEx = method<
  This<'PropertyCollector'> & { version?: string; options?: WaitOptions },
  UpdateSet | undefined
>('WaitForUpdatesEx', 'version:string options:WaitOptions', 'UpdateSet', { idempotent: true, longPoll: true })
export function waitForUpdatesEx(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  version: string,
  waitOptions: WaitOptions,
  options?: CallOptions,
): Promise<UpdateSet | undefined> {
  return rt.roundTrip(WaitForUpdatesEx, { _this: collector, version, options: waitOptions }, options)
}

export const CancelWaitForUpdates = method<This<'PropertyCollector'>, void>('CancelWaitForUpdates', '', undefined, {
  idempotent: true,
})
export function cancelWaitForUpdates(
  rt: RoundTripper,
  collector: MoRef<'PropertyCollector'>,
  options?: CallOptions,
): Promise<void> {
  return rt.roundTrip(CancelWaitForUpdates, { _this: collector }, options)
}

// ---- ViewManager and views

export const CreateContainerView = method<
  This<'ViewManager'> & { container: MoRef; type: string[]; recursive: boolean },
  MoRef<'ContainerView'>
>('CreateContainerView', 'container:ManagedObjectReference type:string[] recursive:boolean', 'ManagedObjectReference', {
  idempotent: false, sessionScoped: true,
})
export function createContainerView(
  rt: RoundTripper,
  viewManager: MoRef<'ViewManager'>,
  container: MoRef,
  type: string[],
  recursive: boolean,
  options?: CallOptions,
): Promise<MoRef<'ContainerView'>> {
  return rt.roundTrip(CreateContainerView, { _this: viewManager, container, type, recursive }, options)
}

export const CreateListView = method<This<'ViewManager'> & { obj: MoRef[] }, MoRef<'ListView'>>(
  'CreateListView',
  'obj:ManagedObjectReference[]',
  'ManagedObjectReference',
  { idempotent: false, sessionScoped: true },
)
export function createListView(
  rt: RoundTripper,
  viewManager: MoRef<'ViewManager'>,
  obj: MoRef[],
  options?: CallOptions,
): Promise<MoRef<'ListView'>> {
  return rt.roundTrip(CreateListView, { _this: viewManager, obj }, options)
}

export const ModifyListView = method<This<'ListView'> & { add?: MoRef[]; remove?: MoRef[] }, MoRef[]>(
  'ModifyListView',
  'add:ManagedObjectReference[] remove:ManagedObjectReference[]',
  'ManagedObjectReference[]',
  { idempotent: true },
)
/** Returns the references that could not be added (objects that no longer exist). */
export function modifyListView(
  rt: RoundTripper,
  view: MoRef<'ListView'>,
  add: MoRef[],
  remove: MoRef[],
  options?: CallOptions,
): Promise<MoRef[]> {
  return rt.roundTrip(ModifyListView, { _this: view, add, remove }, options)
}

export const DestroyView = method<This<string>, void>('DestroyView', '', undefined, { idempotent: true })
export function destroyView(rt: RoundTripper, view: MoRef, options?: CallOptions): Promise<void> {
  return rt.roundTrip(DestroyView, { _this: view }, options)
}

// ---- SearchIndex

export const FindByInventoryPath = method<This<'SearchIndex'> & { inventoryPath: string }, MoRef | undefined>(
  'FindByInventoryPath',
  'inventoryPath:string',
  'ManagedObjectReference',
  { idempotent: true },
)
export function findByInventoryPath(
  rt: RoundTripper,
  searchIndex: MoRef<'SearchIndex'>,
  inventoryPath: string,
  options?: CallOptions,
): Promise<MoRef | undefined> {
  return rt.roundTrip(FindByInventoryPath, { _this: searchIndex, inventoryPath }, options)
}

export const FindChild = method<This<'SearchIndex'> & { entity: MoRef; name: string }, MoRef | undefined>(
  'FindChild',
  'entity:ManagedObjectReference name:string',
  'ManagedObjectReference',
  { idempotent: true },
)
/** The direct child of a folder (or datacenter, pool) with display name `name`; one call, whatever the folder holds. */
export function findChild(
  rt: RoundTripper,
  searchIndex: MoRef<'SearchIndex'>,
  entity: MoRef,
  name: string,
  options?: CallOptions,
): Promise<MoRef | undefined> {
  return rt.roundTrip(FindChild, { _this: searchIndex, entity, name }, options)
}

// ---- VirtualMachine and Folder tasks

export const CreateVM_Task = method<
  This<'Folder'> & { config: VirtualMachineConfigSpec; pool: MoRef<'ResourcePool'>; host?: MoRef<'HostSystem'> },
  MoRef<'Task'>
>(
  'CreateVM_Task',
  'config:VirtualMachineConfigSpec pool:ManagedObjectReference host:ManagedObjectReference',
  'ManagedObjectReference',
  { idempotent: false, writes: true },
)
export function createVMTask(
  rt: RoundTripper,
  folder: MoRef<'Folder'>,
  config: VirtualMachineConfigSpec,
  pool: MoRef<'ResourcePool'>,
  host?: MoRef<'HostSystem'>,
  options?: CallOptions,
): Promise<MoRef<'Task'>> {
  return rt.roundTrip(CreateVM_Task, { _this: folder, config, pool, ...(host ? { host } : {}) }, options)
}

export const ReconfigVM_Task = method<This<'VirtualMachine'> & { spec: VirtualMachineConfigSpec }, MoRef<'Task'>>(
  'ReconfigVM_Task',
  'spec:VirtualMachineConfigSpec',
  'ManagedObjectReference',
  { idempotent: false, writes: true },
)
export function reconfigVMTask(
  rt: RoundTripper,
  vm: MoRef<'VirtualMachine'>,
  spec: VirtualMachineConfigSpec,
  options?: CallOptions,
): Promise<MoRef<'Task'>> {
  return rt.roundTrip(ReconfigVM_Task, { _this: vm, spec }, options)
}

export const Rename_Task = method<This<string> & { newName: string }, MoRef<'Task'>>(
  'Rename_Task',
  'newName:string',
  'ManagedObjectReference',
  { idempotent: false, writes: true },
)
export function renameTask(rt: RoundTripper, entity: MoRef, newName: string, options?: CallOptions): Promise<MoRef<'Task'>> {
  return rt.roundTrip(Rename_Task, { _this: entity, newName }, options)
}

export const PowerOnVM_Task = method<This<'VirtualMachine'> & { host?: MoRef<'HostSystem'> }, MoRef<'Task'>>(
  'PowerOnVM_Task',
  'host:ManagedObjectReference',
  'ManagedObjectReference',
  { idempotent: false, writes: true },
)
export function powerOnVMTask(
  rt: RoundTripper,
  vm: MoRef<'VirtualMachine'>,
  host?: MoRef<'HostSystem'>,
  options?: CallOptions,
): Promise<MoRef<'Task'>> {
  return rt.roundTrip(PowerOnVM_Task, { _this: vm, ...(host ? { host } : {}) }, options)
}

export const PowerOffVM_Task = method<This<'VirtualMachine'>, MoRef<'Task'>>(
  'PowerOffVM_Task',
  '',
  'ManagedObjectReference',
  { idempotent: false, writes: true },
)
export function powerOffVMTask(rt: RoundTripper, vm: MoRef<'VirtualMachine'>, options?: CallOptions): Promise<MoRef<'Task'>> {
  return rt.roundTrip(PowerOffVM_Task, { _this: vm }, options)
}

export const ShutdownGuest = method<This<'VirtualMachine'>, void>('ShutdownGuest', '', undefined, { idempotent: false, writes: true })
/** Asks the guest to shut down (needs guest tools); returns at once, the power-off comes later. */
export function shutdownGuest(rt: RoundTripper, vm: MoRef<'VirtualMachine'>, options?: CallOptions): Promise<void> {
  return rt.roundTrip(ShutdownGuest, { _this: vm }, options)
}

export const Destroy_Task = method<This<string>, MoRef<'Task'>>('Destroy_Task', '', 'ManagedObjectReference', {
  idempotent: false,
  writes: true,
})
export function destroyTask(rt: RoundTripper, entity: MoRef, options?: CallOptions): Promise<MoRef<'Task'>> {
  return rt.roundTrip(Destroy_Task, { _this: entity }, options)
}

export const CancelTask = method<This<'Task'>, void>('CancelTask', '', undefined, { idempotent: true })
export function cancelTask(rt: RoundTripper, task: MoRef<'Task'>, options?: CallOptions): Promise<void> {
  return rt.roundTrip(CancelTask, { _this: task }, options)
}

// ---- FileManager and datastore browser

export const DeleteDatastoreFile_Task = method<
  This<'FileManager'> & { name: string; datacenter?: MoRef<'Datacenter'> },
  MoRef<'Task'>
>('DeleteDatastoreFile_Task', 'name:string datacenter:ManagedObjectReference', 'ManagedObjectReference', {
  idempotent: false,
  writes: true,
})
export function deleteDatastoreFileTask(
  rt: RoundTripper,
  fileManager: MoRef<'FileManager'>,
  name: string,
  datacenter?: MoRef<'Datacenter'>,
  options?: CallOptions,
): Promise<MoRef<'Task'>> {
  return rt.roundTrip(DeleteDatastoreFile_Task, { _this: fileManager, name, ...(datacenter ? { datacenter } : {}) }, options)
}

export const MakeDirectory = method<
  This<'FileManager'> & { name: string; datacenter?: MoRef<'Datacenter'>; createParentDirectories?: boolean },
  void
>('MakeDirectory', 'name:string datacenter:ManagedObjectReference createParentDirectories:boolean', undefined, {
  idempotent: false,
  writes: true,
})
export function makeDirectory(
  rt: RoundTripper,
  fileManager: MoRef<'FileManager'>,
  name: string,
  datacenter: MoRef<'Datacenter'> | undefined,
  createParentDirectories: boolean,
  options?: CallOptions,
): Promise<void> {
  return rt.roundTrip(
    MakeDirectory,
    { _this: fileManager, name, createParentDirectories, ...(datacenter ? { datacenter } : {}) },
    options,
  )
}

export const SearchDatastore_Task = method<
  This<'HostDatastoreBrowser'> & { datastorePath: string; searchSpec?: HostDatastoreBrowserSearchSpec },
  MoRef<'Task'>
>('SearchDatastore_Task', 'datastorePath:string searchSpec:HostDatastoreBrowserSearchSpec', 'ManagedObjectReference', {
  idempotent: true,
})
export function searchDatastoreTask(
  rt: RoundTripper,
  browser: MoRef<'HostDatastoreBrowser'>,
  datastorePath: string,
  searchSpec?: HostDatastoreBrowserSearchSpec,
  options?: CallOptions,
): Promise<MoRef<'Task'>> {
  return rt.roundTrip(SearchDatastore_Task, { _this: browser, datastorePath, ...(searchSpec ? { searchSpec } : {}) }, options)
}
