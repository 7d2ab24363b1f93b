/**
 * VIC-compatible ExtraConfig codec (pure). A container lives in its VM's ExtraConfig in the key/value encoding of
 * VIC's `pkg/vsphere/extraconfig`, so VMs made by VIC and by portlayer read the same; this module is the only place
 * that knows how those keys are built.
 *
 * Container API (maps are always in wire form: as vSphere stores them, `<nil>` for an empty value):
 * - `decodeContainer(extraConfig)` → `ContainerConfig`: VIC's ExecutorConfig typed (`id`, `name`, `createTime`
 *   (bigint), `networks[net].network.aliases`, `networks[net].ports`, `links`, `annotations`, `repo`, `hostname`,
 *   `sessions`, `version`, …), plus `nameKey` (where the name lives: `common/name`, or `guestinfo.vice./common/name`
 *   on containers before data version 2) and `unmodeled` (every other key, verbatim).
 * - `encodeContainer(config)` → every key of the VM; `encodeContainer(decodeContainer(vm))` equals `vm`.
 * - `newContainerConfig({id, name, createTime, dataVersion, …})` for a create; `containerVmExtraConfig` holds the
 *   fixed VM settings VIC adds next to it.
 * - `dataVersion(config)` (0 when unstamped), `networkAliases(config)`, `withNetworkAliases(config, net, list)`.
 * - `changeSet(current, wanted, {running})` → `[{key, value}]`: only what differs, '' to delete, and for a running
 *   VM only hidden and `@non-persistent` keys. `runningSubset(map)` is that filter alone.
 * - Keys: `containerKeys.{id,name,legacyName,dataVersion,createTime,networks,annotations,links,linksValues}`,
 *   `networkAliasesKey(net)`, `networkAliasesValuesKey(net)`, `annotationKey(name)`, `containerKey(path)`,
 *   `hiddenKey(...path)` for hidden data the schema does not model (journals).
 * - Scopes: `keyScope(key)` (VIC's inference from a key, a `Scope` mask), `writableWhileRunning(key)`.
 *
 * Generic layer, for other VIC structures: `schema.ts` (describe a struct: `struct`, `tagged`, `untagged`,
 * `embedded`, `map`, `slice`, `pointer`, primitives; `Infer<typeof node>`), `encode` / `decode` (node ↔ decoded
 * key/value map), `keyOf(node, path)`, and the key rules in `key.ts`. Secret values are passed through as given:
 * VIC encrypts them with a key from the VM's OVF environment, which this codec does not handle.
 */
export { changeSet, runningSubset, type ChangeOptions, type ExtraConfigChange } from './change-set.js'
export {
  dataVersion,
  decodeContainer,
  encodeContainer,
  networkAliases,
  newContainerConfig,
  newNetworkEndpoint,
  withNetworkAliases,
  type ContainerConfig,
  type NewContainer,
} from './container.js'
export {
  annotationKey,
  containerKey,
  containerKeys,
  networkAliasesKey,
  networkAliasesValuesKey,
} from './container-keys.js'
export {
  executorConfigSchema,
  type Build,
  type ContainerNetwork,
  type Diagnostics,
  type ExecutorConfig,
  type IPNet,
  type NetworkEndpoint,
  type SessionConfig,
} from './container-schema.js'
export { decode, type Source } from './decode.js'
export { encode } from './encode.js'
export { appendToKey, childKey, entryKey, hiddenKey, sliceValuesKey, visiblePrefix } from './key.js'
export { keyOf } from './key-of.js'
export { Scope, keyScope, scopeWords, writableWhileRunning, type ScopeMask, type ScopeTag } from './scope.js'
export type { Infer, Node } from './schema.js'
export { containerVmExtraConfig } from './vm-defaults.js'
export { escapeNil, nilValue, unescapeNil, type WireInput, type WireMap } from './wire.js'
