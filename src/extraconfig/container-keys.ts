/**
 * Named keys of a container's ExtraConfig, all derived from the container schema, so no other code assembles a key
 * by hand (a network name with a dot is mangled in some keys and not in others; see key.ts).
 */
import { executorConfigSchema, legacyExecutorSchema } from './container-schema.js'
import { sliceValuesKey } from './key.js'
import { keyOf } from './key-of.js'

export const containerKeys = {
  /** `guestinfo.vice./common/id`: the container ID, guest-visible */
  id: keyOf(executorConfigSchema, ['id']),
  /** `common/name`: the name, hidden (data version 2 and later) */
  name: keyOf(executorConfigSchema, ['name']),
  /** `guestinfo.vice./common/name`: where containers before data version 2 keep their name */
  legacyName: keyOf(legacyExecutorSchema, ['name']),
  /** `guestinfo.vice./version/PluginVersion`: the data version the creating service stamped */
  dataVersion: keyOf(executorConfigSchema, ['version', 'pluginVersion']),
  /** `guestinfo.vice..createtime` */
  createTime: keyOf(executorConfigSchema, ['createTime']),
  /** `guestinfo.vice./networks`: the `|`-joined network names */
  networks: keyOf(executorConfigSchema, ['networks']),
  /** `annotations`: the `|`-joined annotation names */
  annotations: keyOf(executorConfigSchema, ['annotations']),
  /** `hostconfig/links`: last index of docker's HostConfig.Links (values under `linksValues`) */
  links: keyOf(executorConfigSchema, ['links']),
  /** `hostconfig/links~` */
  linksValues: sliceValuesKey(keyOf(executorConfigSchema, ['links'])),
} as const

/** `networks|<net>/network/aliases`: last index of the endpoint's hidden alias list (dots in `net` become `/`). */
export function networkAliasesKey(network: string): string {
  return keyOf(executorConfigSchema, ['networks', network, 'network', 'aliases'])
}

/** `networks|<net>/network/aliases~`: the `|`-joined `who:alias` entries. */
export function networkAliasesValuesKey(network: string): string {
  return sliceValuesKey(networkAliasesKey(network))
}

/** `annotations|<name>` */
export function annotationKey(name: string): string {
  return keyOf(executorConfigSchema, ['annotations', name])
}

/** The key of any value of the container schema, by property path (`['networks', 'bridge', 'ports']`). */
export function containerKey(path: ReadonlyArray<string | number>): string {
  return keyOf(executorConfigSchema, path)
}
