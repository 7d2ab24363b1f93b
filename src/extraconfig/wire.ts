/**
 * The wire form: ExtraConfig exactly as vSphere stores it. vSphere deletes a key that is sent with an empty value,
 * so VIC writes an empty string as the literal `<nil>` and reads `<nil>` back as empty. Every map this module
 * takes or returns is in wire form; only a change's value may be '' (= delete the key).
 */

export const nilValue = '<nil>'

/** A VM's ExtraConfig in wire form. */
export type WireMap = Record<string, string>

/** What the codec accepts as a VM's ExtraConfig: a plain object or a Map, in wire form. */
export type WireInput = Readonly<Record<string, string>> | ReadonlyMap<string, string>

export function escapeNil(value: string): string {
  return value === '' ? nilValue : value
}

export function unescapeNil(value: string): string {
  return value === nilValue ? '' : value
}

export function wireEntries(input: WireInput): Array<[string, string]> {
  return input instanceof Map ? [...input.entries()] : Object.entries(input as Readonly<Record<string, string>>)
}

/** A lookup of decoded values (`<nil>` read as ''); undefined for an absent key. */
export function wireLookup(input: WireInput): (key: string) => string | undefined {
  const values = new Map(wireEntries(input))
  return (key) => {
    const value = values.get(key)
    return value === undefined ? undefined : unescapeNil(value)
  }
}
