/**
 * TypeScript shapes of the vim25 data objects the service uses, named and spelled as in the vSphere API
 * reference so code reads next to it. `_type` carries the xsi:type of a value whose declared type is a base type
 * (a `VirtualSerialPort` in a `VirtualDevice` field, a `TraversalSpec` in a `SelectionSpec` list); the codec
 * writes it as xsi:type and sets it when reading. The wire order of fields lives in schema/data-types.ts.
 */

import type { MoRef } from './moref.js'

export interface DynamicData {
  _type?: string
}

// ---- service and session

export interface AboutInfo {
  name: string
  fullName: string
  vendor: string
  version: string
  build: string
  apiType: string
  apiVersion: string
  instanceUuid?: string
}

export interface ServiceContent {
  rootFolder: MoRef<'Folder'>
  propertyCollector: MoRef<'PropertyCollector'>
  viewManager?: MoRef<'ViewManager'>
  about: AboutInfo
  sessionManager?: MoRef<'SessionManager'>
  taskManager?: MoRef<'TaskManager'>
  searchIndex?: MoRef<'SearchIndex'>
  fileManager?: MoRef<'FileManager'>
  [other: string]: unknown
}

export interface UserSession {
  key: string
  userName: string
  fullName?: string
  loginTime?: Date
  lastActiveTime?: Date
}

// ---- property collector

export interface PropertySpec extends DynamicData {
  type: string
  all?: boolean
  pathSet?: string[]
}

export interface SelectionSpec extends DynamicData {
  name?: string
}

export interface TraversalSpec extends SelectionSpec {
  _type: 'TraversalSpec'
  type: string
  path: string
  skip?: boolean
  selectSet?: (SelectionSpec | TraversalSpec)[]
}

export interface ObjectSpec extends DynamicData {
  obj: MoRef
  skip?: boolean
  selectSet?: (SelectionSpec | TraversalSpec)[]
}

export interface PropertyFilterSpec extends DynamicData {
  propSet: PropertySpec[]
  objectSet: ObjectSpec[]
  reportMissingObjectsInResults?: boolean
}

export interface RetrieveOptions extends DynamicData {
  maxObjects?: number
}

export interface WaitOptions extends DynamicData {
  maxWaitSeconds?: number
  maxObjectUpdates?: number
}

export interface DynamicProperty {
  name: string
  val: unknown
}

export interface LocalizableMessage {
  key: string
  message?: string
}

export interface MethodFaultData {
  _type?: string
  faultCause?: LocalizedMethodFault
  faultMessage?: LocalizableMessage[]
  [field: string]: unknown
}

export interface LocalizedMethodFault {
  fault: MethodFaultData
  localizedMessage?: string
}

export interface MissingProperty {
  path: string
  fault: LocalizedMethodFault
}

export interface ObjectContent {
  obj: MoRef
  propSet: DynamicProperty[]
  missingSet: MissingProperty[]
}

export interface RetrieveResult {
  token?: string
  objects: ObjectContent[]
}

export interface PropertyChange {
  name: string
  op: 'add' | 'remove' | 'assign' | 'indirectRemove'
  val?: unknown
}

export interface ObjectUpdate {
  kind: 'modify' | 'enter' | 'leave'
  obj: MoRef
  changeSet: PropertyChange[]
  missingSet: MissingProperty[]
}

export interface MissingObject {
  obj: MoRef
  fault: LocalizedMethodFault
}

export interface PropertyFilterUpdate {
  filter: MoRef<'PropertyFilter'>
  objectSet: ObjectUpdate[]
  missingSet: MissingObject[]
}

export interface UpdateSet {
  version: string
  filterSet: PropertyFilterUpdate[]
  truncated?: boolean
}

// ---- tasks

export type TaskInfoState = 'queued' | 'running' | 'success' | 'error'

export interface TaskInfo {
  key: string
  task: MoRef<'Task'>
  name?: string
  descriptionId: string
  entity?: MoRef
  entityName?: string
  state: TaskInfoState
  cancelled: boolean
  cancelable: boolean
  error?: LocalizedMethodFault
  result?: unknown
  progress?: number
  queueTime: Date
  startTime?: Date
  completeTime?: Date
}

// ---- virtual machine configuration

export interface OptionValue extends DynamicData {
  key: string
  /** Sent with its xsi:type (`xsd:string` for a string); vcsim drops an untyped value. */
  value?: string | number | boolean
}

export interface Description extends DynamicData {
  label: string
  summary: string
}

export interface VirtualMachineFileInfo extends DynamicData {
  vmPathName?: string
  snapshotDirectory?: string
  suspendDirectory?: string
  logDirectory?: string
}

export interface VirtualDeviceConnectInfo extends DynamicData {
  migrateConnect?: string
  startConnected: boolean
  allowGuestControl: boolean
  connected: boolean
  status?: string
}

export interface VirtualDeviceBackingInfo extends DynamicData {
  _type?: string
}

export interface VirtualDeviceFileBackingInfo extends VirtualDeviceBackingInfo {
  fileName: string
  datastore?: MoRef<'Datastore'>
}

export interface VirtualSerialPortFileBackingInfo extends VirtualDeviceFileBackingInfo {
  _type: 'VirtualSerialPortFileBackingInfo'
}

export interface VirtualDeviceURIBackingInfo extends VirtualDeviceBackingInfo {
  serviceURI: string
  direction: 'client' | 'server'
  proxyURI?: string
}

export interface VirtualSerialPortURIBackingInfo extends VirtualDeviceURIBackingInfo {
  _type: 'VirtualSerialPortURIBackingInfo'
}

export interface VirtualEthernetCardNetworkBackingInfo extends VirtualDeviceBackingInfo {
  _type: 'VirtualEthernetCardNetworkBackingInfo'
  deviceName: string
  useAutoDetect?: boolean
  network?: MoRef<'Network'>
}

export type AnyBackingInfo =
  | VirtualDeviceBackingInfo
  | VirtualSerialPortFileBackingInfo
  | VirtualSerialPortURIBackingInfo
  | VirtualEthernetCardNetworkBackingInfo

export interface VirtualDevice extends DynamicData {
  key: number
  deviceInfo?: Description
  backing?: AnyBackingInfo
  connectable?: VirtualDeviceConnectInfo
  controllerKey?: number
  unitNumber?: number
}

export interface VirtualSerialPort extends VirtualDevice {
  _type: 'VirtualSerialPort'
  yieldOnPoll: boolean
  backing?: VirtualSerialPortFileBackingInfo | VirtualSerialPortURIBackingInfo
}

export interface VirtualEthernetCard extends VirtualDevice {
  _type: 'VirtualVmxnet3' | 'VirtualE1000'
  addressType?: string
  macAddress?: string
  wakeOnLanEnabled?: boolean
}

export type VirtualDeviceConfigSpecOperation = 'add' | 'remove' | 'edit'
export type VirtualDeviceConfigSpecFileOperation = 'create' | 'destroy' | 'replace'

export type AnyVirtualDevice = VirtualDevice | VirtualSerialPort | VirtualEthernetCard

export interface VirtualDeviceConfigSpec extends DynamicData {
  operation?: VirtualDeviceConfigSpecOperation
  fileOperation?: VirtualDeviceConfigSpecFileOperation
  device: AnyVirtualDevice
}

export interface VirtualMachineConfigSpec extends DynamicData {
  changeVersion?: string
  name?: string
  version?: string
  uuid?: string
  instanceUuid?: string
  guestId?: string
  annotation?: string
  files?: VirtualMachineFileInfo
  numCPUs?: number
  numCoresPerSocket?: number
  memoryMB?: number
  deviceChange?: VirtualDeviceConfigSpec[]
  extraConfig?: OptionValue[]
}

export interface VirtualHardware {
  numCPU: number
  numCoresPerSocket?: number
  memoryMB: number
  device: AnyVirtualDevice[]
}

export interface VirtualMachineConfigInfo {
  changeVersion: string
  modified?: Date
  name: string
  guestFullName?: string
  version?: string
  uuid?: string
  createDate?: Date
  instanceUuid?: string
  template: boolean
  guestId?: string
  annotation?: string
  files: VirtualMachineFileInfo
  hardware: VirtualHardware
  extraConfig: OptionValue[]
}

export type VirtualMachinePowerState = 'poweredOn' | 'poweredOff' | 'suspended'

// ---- datastores

export interface DatastoreSummary {
  datastore?: MoRef<'Datastore'>
  name: string
  url: string
  capacity: number
  freeSpace: number
  accessible: boolean
  type: string
}

export interface FileQueryFlags extends DynamicData {
  fileType: boolean
  fileSize: boolean
  modification: boolean
  fileOwner?: boolean
}

export interface HostDatastoreBrowserSearchSpec extends DynamicData {
  query?: DynamicData[]
  details?: FileQueryFlags
  searchCaseInsensitive?: boolean
  matchPattern?: string[]
  sortFoldersFirst?: boolean
}

export interface FileInfo {
  _type?: string
  path: string
  friendlyName?: string
  fileSize?: number
  modification?: Date
  owner?: string
}

export interface HostDatastoreBrowserSearchResults {
  datastore?: MoRef<'Datastore'>
  folderPath: string
  file: FileInfo[]
}
