/**
 * The vim25 data types this client reads and writes: for each, its base type and its own fields in WSDL order,
 * as `name:type` with `[]` for repeated fields. vCenter reads a data object with a forward cursor over that order
 * and rejects an element out of place ("Unexpected element tag"), so the encoder walks this table, never an
 * object's key order. The decoder uses the same table to know which fields repeat (a one-element list must still
 * be a list) and which text is a number, a boolean or a date.
 *
 * Written by hand from the public vim25 API reference; only the subset the service needs. A field whose type has
 * no entry here can be read (it is decoded generically) but not written.
 *
 * Field types: xsd primitives (`string`, `boolean`, `int`, `long`, `short`, `byte`, `double`, `float`,
 * `dateTime`, `base64Binary`, `anyURI`), `any` (the value carries its own xsi:type), `ManagedObjectReference`,
 * or the name of another entry. Enumerations are `string`.
 */

/** [base type, own fields in order]. The root of data objects is DynamicData, of faults MethodFault. */
export type TypeEntry = readonly [base: string | null, fields: string]

export const dataTypes: Record<string, TypeEntry> = {
  DynamicData: [null, 'dynamicType:string dynamicProperty:DynamicProperty[]'],
  DynamicProperty: [null, 'name:string val:any'],
  KeyAnyValue: ['DynamicData', 'key:string value:any'],
  LocalizableMessage: ['DynamicData', 'key:string arg:KeyAnyValue[] message:string'],
  OptionValue: ['DynamicData', 'key:string value:any'],
  Description: ['DynamicData', 'label:string summary:string'],

  // ---- service, session
  ServiceContent: [
    'DynamicData',
    'rootFolder:ManagedObjectReference propertyCollector:ManagedObjectReference viewManager:ManagedObjectReference ' +
      'about:AboutInfo setting:ManagedObjectReference userDirectory:ManagedObjectReference ' +
      'sessionManager:ManagedObjectReference authorizationManager:ManagedObjectReference ' +
      'serviceManager:ManagedObjectReference perfManager:ManagedObjectReference ' +
      'scheduledTaskManager:ManagedObjectReference alarmManager:ManagedObjectReference ' +
      'eventManager:ManagedObjectReference taskManager:ManagedObjectReference ' +
      'extensionManager:ManagedObjectReference customizationSpecManager:ManagedObjectReference ' +
      'customFieldsManager:ManagedObjectReference accountManager:ManagedObjectReference ' +
      'diagnosticManager:ManagedObjectReference licenseManager:ManagedObjectReference ' +
      'searchIndex:ManagedObjectReference fileManager:ManagedObjectReference ' +
      'datastoreNamespaceManager:ManagedObjectReference virtualDiskManager:ManagedObjectReference',
  ],
  AboutInfo: [
    'DynamicData',
    'name:string fullName:string vendor:string version:string build:string localeVersion:string ' +
      'localeBuild:string osType:string productLineId:string apiType:string apiVersion:string ' +
      'instanceUuid:string licenseProductName:string licenseProductVersion:string',
  ],
  UserSession: [
    'DynamicData',
    'key:string userName:string fullName:string loginTime:dateTime lastActiveTime:dateTime locale:string ' +
      'messageLocale:string extensionSession:boolean ipAddress:string userAgent:string callCount:long',
  ],

  // ---- property collector
  PropertyFilterSpec: [
    'DynamicData',
    'propSet:PropertySpec[] objectSet:ObjectSpec[] reportMissingObjectsInResults:boolean',
  ],
  PropertySpec: ['DynamicData', 'type:string all:boolean pathSet:string[]'],
  ObjectSpec: ['DynamicData', 'obj:ManagedObjectReference skip:boolean selectSet:SelectionSpec[]'],
  SelectionSpec: ['DynamicData', 'name:string'],
  TraversalSpec: ['SelectionSpec', 'type:string path:string skip:boolean selectSet:SelectionSpec[]'],
  RetrieveOptions: ['DynamicData', 'maxObjects:int'],
  RetrieveResult: ['DynamicData', 'token:string objects:ObjectContent[]'],
  ObjectContent: ['DynamicData', 'obj:ManagedObjectReference propSet:DynamicProperty[] missingSet:MissingProperty[]'],
  MissingProperty: ['DynamicData', 'path:string fault:LocalizedMethodFault'],
  WaitOptions: ['DynamicData', 'maxWaitSeconds:int maxObjectUpdates:int'],
  UpdateSet: ['DynamicData', 'version:string filterSet:PropertyFilterUpdate[] truncated:boolean'],
  PropertyFilterUpdate: [
    'DynamicData',
    'filter:ManagedObjectReference objectSet:ObjectUpdate[] missingSet:MissingObject[]',
  ],
  ObjectUpdate: [
    'DynamicData',
    'kind:string obj:ManagedObjectReference changeSet:PropertyChange[] missingSet:MissingProperty[]',
  ],
  PropertyChange: ['DynamicData', 'name:string op:string val:any'],
  MissingObject: ['DynamicData', 'obj:ManagedObjectReference fault:LocalizedMethodFault'],

  // ---- tasks and faults
  TaskInfo: [
    'DynamicData',
    'key:string task:ManagedObjectReference description:LocalizableMessage name:string descriptionId:string ' +
      'entity:ManagedObjectReference entityName:string locked:ManagedObjectReference[] state:string ' +
      'cancelled:boolean cancelable:boolean error:LocalizedMethodFault result:any progress:int ' +
      'reason:TaskReason queueTime:dateTime startTime:dateTime completeTime:dateTime eventChainId:int ' +
      'changeTag:string parentTaskKey:string rootTaskKey:string activationId:string',
  ],
  TaskReason: ['DynamicData', ''],
  TaskReasonUser: ['TaskReason', 'userName:string'],
  LocalizedMethodFault: ['DynamicData', 'fault:MethodFault localizedMessage:string'],

  // ---- virtual machine configuration (written by create and reconfigure)
  VirtualMachineConfigSpec: [
    'DynamicData',
    'changeVersion:string name:string version:string createDate:dateTime uuid:string instanceUuid:string ' +
      'npivNodeWorldWideName:long[] npivPortWorldWideName:long[] npivWorldWideNameType:string ' +
      'npivDesiredNodeWwns:short npivDesiredPortWwns:short npivTemporaryDisabled:boolean ' +
      'npivOnNonRdmDisks:boolean npivWorldWideNameOp:string locationId:string guestId:string ' +
      'alternateGuestName:string annotation:string files:VirtualMachineFileInfo tools:ToolsConfigInfo ' +
      'flags:VirtualMachineFlagInfo consolePreferences:VirtualMachineConsolePreferences ' +
      'powerOpInfo:VirtualMachineDefaultPowerOpInfo numCPUs:int vcpuConfig:VirtualMachineVcpuConfig[] ' +
      'numCoresPerSocket:int memoryMB:long memoryHotAddEnabled:boolean cpuHotAddEnabled:boolean ' +
      'cpuHotRemoveEnabled:boolean virtualICH7MPresent:boolean virtualSMCPresent:boolean ' +
      'deviceChange:VirtualDeviceConfigSpec[] cpuAllocation:ResourceAllocationInfo ' +
      'memoryAllocation:ResourceAllocationInfo latencySensitivity:LatencySensitivity ' +
      'cpuAffinity:VirtualMachineAffinityInfo memoryAffinity:VirtualMachineAffinityInfo ' +
      'networkShaper:VirtualMachineNetworkShaperInfo cpuFeatureMask:VirtualMachineCpuIdInfoSpec[] ' +
      'extraConfig:OptionValue[] swapPlacement:string bootOptions:VirtualMachineBootOptions',
  ],
  VirtualMachineFileInfo: [
    'DynamicData',
    'vmPathName:string snapshotDirectory:string suspendDirectory:string logDirectory:string ' +
      'ftMetadataDirectory:string',
  ],
  ToolsConfigInfo: [
    'DynamicData',
    'toolsVersion:int toolsInstallType:string afterPowerOn:boolean afterResume:boolean ' +
      'beforeGuestStandby:boolean beforeGuestShutdown:boolean beforeGuestReboot:boolean ' +
      'toolsUpgradePolicy:string pendingCustomization:string',
  ],
  VirtualMachineDefaultPowerOpInfo: [
    'DynamicData',
    'powerOffType:string suspendType:string resetType:string defaultPowerOffType:string ' +
      'defaultSuspendType:string defaultResetType:string standbyAction:string',
  ],
  VirtualDeviceConfigSpec: [
    'DynamicData',
    'operation:string fileOperation:string device:VirtualDevice profile:VirtualMachineProfileSpec[] ' +
      'backing:VirtualDeviceConfigSpecBackingSpec',
  ],
  VirtualDevice: [
    'DynamicData',
    'key:int deviceInfo:Description backing:VirtualDeviceBackingInfo connectable:VirtualDeviceConnectInfo ' +
      'slotInfo:VirtualDeviceBusSlotInfo controllerKey:int unitNumber:int',
  ],
  VirtualDeviceConnectInfo: [
    'DynamicData',
    'migrateConnect:string startConnected:boolean allowGuestControl:boolean connected:boolean status:string',
  ],
  VirtualDeviceBackingInfo: ['DynamicData', ''],
  VirtualDeviceFileBackingInfo: [
    'VirtualDeviceBackingInfo',
    'fileName:string datastore:ManagedObjectReference backingObjectId:string',
  ],
  VirtualDeviceURIBackingInfo: ['VirtualDeviceBackingInfo', 'serviceURI:string direction:string proxyURI:string'],
  VirtualDevicePipeBackingInfo: ['VirtualDeviceBackingInfo', 'pipeName:string'],
  VirtualDeviceDeviceBackingInfo: ['VirtualDeviceBackingInfo', 'deviceName:string useAutoDetect:boolean'],
  VirtualSerialPort: ['VirtualDevice', 'yieldOnPoll:boolean'],
  VirtualSerialPortFileBackingInfo: ['VirtualDeviceFileBackingInfo', ''],
  VirtualSerialPortURIBackingInfo: ['VirtualDeviceURIBackingInfo', ''],
  VirtualSerialPortPipeBackingInfo: ['VirtualDevicePipeBackingInfo', 'endpoint:string noRxLoss:boolean'],
  VirtualEthernetCard: [
    'VirtualDevice',
    'addressType:string macAddress:string wakeOnLanEnabled:boolean ' +
      'resourceAllocation:VirtualEthernetCardResourceAllocation externalId:string uptCompatibilityEnabled:boolean',
  ],
  VirtualVmxnet: ['VirtualEthernetCard', ''],
  VirtualVmxnet3: ['VirtualVmxnet', ''],
  VirtualE1000: ['VirtualEthernetCard', ''],
  VirtualEthernetCardNetworkBackingInfo: [
    'VirtualDeviceDeviceBackingInfo',
    'network:ManagedObjectReference inPassthroughMode:boolean',
  ],

  // ---- virtual machine state (read)
  VirtualMachineConfigInfo: [
    'DynamicData',
    'changeVersion:string modified:dateTime name:string guestFullName:string version:string uuid:string ' +
      'createDate:dateTime instanceUuid:string npivNodeWorldWideName:long[] npivPortWorldWideName:long[] ' +
      'npivWorldWideNameType:string npivDesiredNodeWwns:short npivDesiredPortWwns:short ' +
      'npivTemporaryDisabled:boolean npivOnNonRdmDisks:boolean locationId:string template:boolean ' +
      'guestId:string alternateGuestName:string annotation:string files:VirtualMachineFileInfo ' +
      'tools:ToolsConfigInfo flags:VirtualMachineFlagInfo consolePreferences:VirtualMachineConsolePreferences ' +
      'defaultPowerOps:VirtualMachineDefaultPowerOpInfo hardware:VirtualHardware ' +
      'vcpuConfig:VirtualMachineVcpuConfig[] cpuAllocation:ResourceAllocationInfo ' +
      'memoryAllocation:ResourceAllocationInfo latencySensitivity:LatencySensitivity ' +
      'memoryHotAddEnabled:boolean cpuHotAddEnabled:boolean cpuHotRemoveEnabled:boolean ' +
      'hotPlugMemoryLimit:long hotPlugMemoryIncrementSize:long cpuAffinity:VirtualMachineAffinityInfo ' +
      'memoryAffinity:VirtualMachineAffinityInfo networkShaper:VirtualMachineNetworkShaperInfo ' +
      'extraConfig:OptionValue[] cpuFeatureMask:HostCpuIdInfo[] ' +
      'datastoreUrl:VirtualMachineConfigInfoDatastoreUrlPair[] swapPlacement:string',
  ],
  VirtualHardware: [
    'DynamicData',
    'numCPU:int numCoresPerSocket:int memoryMB:int virtualICH7MPresent:boolean virtualSMCPresent:boolean ' +
      'device:VirtualDevice[]',
  ],
  VirtualMachineRuntimeInfo: [
    'DynamicData',
    'device:VirtualMachineDeviceRuntimeInfo[] host:ManagedObjectReference connectionState:string ' +
      'powerState:string faultToleranceState:string dasVmProtection:VirtualMachineRuntimeInfoDasProtectionState ' +
      'toolsInstallerMounted:boolean suspendTime:dateTime bootTime:dateTime suspendInterval:long ' +
      'question:VirtualMachineQuestionInfo memoryOverhead:long maxCpuUsage:int maxMemoryUsage:int ' +
      'numMksConnections:int',
  ],
  VirtualMachineSummary: [
    'DynamicData',
    'vm:ManagedObjectReference runtime:VirtualMachineRuntimeInfo guest:VirtualMachineGuestSummary ' +
      'config:VirtualMachineConfigSummary',
  ],
  VirtualMachineConfigSummary: [
    'DynamicData',
    'name:string template:boolean vmPathName:string memorySizeMB:int cpuReservation:int memoryReservation:int ' +
      'numCpu:int numEthernetCards:int numVirtualDisks:int uuid:string instanceUuid:string guestId:string ' +
      'guestFullName:string annotation:string',
  ],

  // ---- datastores and files
  DatastoreSummary: [
    'DynamicData',
    'datastore:ManagedObjectReference name:string url:string capacity:long freeSpace:long uncommitted:long ' +
      'accessible:boolean multipleHostAccess:boolean type:string maintenanceMode:string',
  ],
  DatastoreInfo: [
    'DynamicData',
    'name:string url:string freeSpace:long maxFileSize:long maxVirtualDiskCapacity:long ' +
      'maxMemoryFileSize:long timestamp:dateTime containerId:string aliasOf:string',
  ],
  HostDatastoreBrowserSearchSpec: [
    'DynamicData',
    'query:FileQuery[] details:FileQueryFlags searchCaseInsensitive:boolean matchPattern:string[] ' +
      'sortFoldersFirst:boolean',
  ],
  FileQueryFlags: ['DynamicData', 'fileType:boolean fileSize:boolean modification:boolean fileOwner:boolean'],
  FileQuery: ['DynamicData', ''],
  FolderFileQuery: ['FileQuery', ''],
  HostDatastoreBrowserSearchResults: [
    'DynamicData',
    'datastore:ManagedObjectReference folderPath:string file:FileInfo[]',
  ],
  FileInfo: ['DynamicData', 'path:string friendlyName:string fileSize:long modification:dateTime owner:string'],
  FolderFileInfo: ['FileInfo', ''],
  VmConfigFileInfo: ['FileInfo', 'configVersion:int'],
  VmLogFileInfo: ['FileInfo', ''],
  VmNvramFileInfo: ['FileInfo', ''],
}

/**
 * Faults: [base, fields] like data types. The base chain is what `isFault(err, 'InvalidState')` follows to match
 * an `InvalidPowerState`.
 */
export const faultTypes: Record<string, TypeEntry> = {
  MethodFault: [null, 'faultCause:LocalizedMethodFault faultMessage:LocalizableMessage[]'],
  RuntimeFault: ['MethodFault', ''],
  VimFault: ['MethodFault', ''],
  InvalidRequest: ['RuntimeFault', ''],
  MethodNotFound: ['InvalidRequest', 'receiver:ManagedObjectReference method:string'],
  InvalidType: ['InvalidRequest', 'argument:string'],
  NotSupported: ['RuntimeFault', ''],
  NotImplemented: ['RuntimeFault', ''],
  SystemError: ['RuntimeFault', 'reason:string'],
  RequestCanceled: ['RuntimeFault', ''],
  HostCommunication: ['RuntimeFault', ''],
  HostNotConnected: ['HostCommunication', ''],
  HostNotReachable: ['HostCommunication', ''],
  InvalidArgument: ['RuntimeFault', 'invalidProperty:string'],
  ManagedObjectNotFound: ['RuntimeFault', 'obj:ManagedObjectReference'],
  SecurityError: ['RuntimeFault', ''],
  NoPermission: ['SecurityError', 'object:ManagedObjectReference privilegeId:string'],
  NotAuthenticated: ['NoPermission', ''],
  InvalidProperty: ['MethodFault', 'name:string'],
  InvalidCollectorVersion: ['MethodFault', ''],
  InvalidLogin: ['VimFault', ''],
  InvalidState: ['VimFault', ''],
  InvalidPowerState: ['InvalidState', 'requestedState:string existingState:string'],
  InvalidDatastoreState: ['InvalidState', 'datastoreName:string'],
  InvalidHostState: ['InvalidState', 'host:ManagedObjectReference'],
  TaskInProgress: ['VimFault', 'task:ManagedObjectReference'],
  VAppTaskInProgress: ['TaskInProgress', ''],
  ConcurrentAccess: ['VimFault', ''],
  DuplicateName: ['VimFault', 'name:string object:ManagedObjectReference'],
  AlreadyExists: ['VimFault', 'name:string'],
  InvalidName: ['VimFault', 'name:string entity:ManagedObjectReference'],
  NotFound: ['VimFault', ''],
  ResourceInUse: ['VimFault', 'type:string name:string'],
  Timedout: ['VimFault', ''],
  FileFault: ['VimFault', 'file:string'],
  FileNotFound: ['FileFault', ''],
  FileAlreadyExists: ['FileFault', ''],
  FileLocked: ['FileFault', ''],
  CannotDeleteFile: ['FileFault', ''],
  CannotCreateFile: ['FileFault', ''],
  NoDiskSpace: ['FileFault', 'datastore:string'],
  InvalidDatastore: ['VimFault', 'datastore:ManagedObjectReference name:string'],
  InvalidDatastorePath: ['InvalidDatastore', 'datastorePath:string'],
  VmConfigFault: ['VimFault', ''],
  InvalidVmConfig: ['VmConfigFault', 'property:string'],
  NetworkDisruptedAndConfigRolledBack: ['VimFault', 'host:string'],
  FailToLockFaultToleranceVMs: [
    'RuntimeFault',
    'vmName:string vm:ManagedObjectReference alreadyLockedVm:ManagedObjectReference',
  ],
}
