/**
 * Single ExtraConfig keys as property paths. vCenter's property collector selects one element of the keyed
 * array `config.extraConfig` by its key: `config.extraConfig["guestinfo.a"]` collects that OptionValue alone, under
 * the path asked for, and leaves a key the VM lacks out of the answer (no fault). A reader that needs a few keys of
 * every VM asks for those paths instead of every VM's whole ExtraConfig. govcsim answers them as vCenter does
 * (govcsim/indexed.go); plain vcsim 0.24.2 does not.
 */
import type { OptionValue } from './types.js'

export const extraConfigPath = 'config.extraConfig'

/** The property path of one ExtraConfig key. */
export function extraConfigKeyPath(key: string): string {
  // the path syntax has no escape: a key with a quote or a bracket cannot be selected by itself
  if (key === '' || /["[\]]/.test(key)) {
    throw new TypeError(`the ExtraConfig key ${JSON.stringify(key)} cannot be a property path`)
  }
  return `${extraConfigPath}["${key}"]`
}

/** The paths that read `keys`, or the whole array when `keys` is undefined. */
export function extraConfigPaths(keys: readonly string[] | undefined): string[] {
  return keys === undefined ? [extraConfigPath] : keys.map(extraConfigKeyPath)
}

/**
 * The ExtraConfig a retrieval answered, as a key → value map: the whole array when it was asked for, else the
 * elements of `keys` the VM has. A value vSphere returns without text is ''.
 */
export function extraConfigFrom(
  props: Readonly<Record<string, unknown>>,
  keys: readonly string[] | undefined,
): Map<string, string> {
  const map = new Map<string, string>()
  const put = (option: OptionValue | undefined): void => {
    if (option?.key !== undefined) map.set(option.key, option.value === undefined ? '' : String(option.value))
  }
  if (keys === undefined) {
    const options = props[extraConfigPath]
    if (Array.isArray(options)) for (const option of options as OptionValue[]) put(option)
    return map
  }
  for (const key of keys) put(props[extraConfigKeyPath(key)] as OptionValue | undefined)
  return map
}
