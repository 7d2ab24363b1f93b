/**
 * How VIC builds an ExtraConfig key from its parent's key, one field at a time. Reproduced rule for rule, quirks
 * included, because VIC's tether, persona and portlayer read the same keys and a VM created by one must be readable
 * by the other:
 *
 * - Guest-visible keys start with `guestinfo.vice.` followed by one signifier that is also the separator of the whole
 *   key: `/` for read-only (and volatile, secret), `.` for read-write.
 * - When a child switches between read-only and read-write, every separator already in the key is rewritten by a
 *   blind replace, so a `.` inside a map key becomes `/` under a read-only child (`networks|front/net/...`) and a
 *   `/` becomes `.` under a read-write one. Decoding computes the same mangled keys, so the format round-trips.
 * - Hidden keys drop the prefix and the signifier and are joined with `/` without any rewriting (`common/name`).
 * - `@secret` and `@non-persistent` suffixes always stay at the very end; hidden + non-persistent is invalid.
 */
import type { Field } from './schema.js'
import {
  Scope,
  guestInfoPrefix,
  keyScope,
  nonPersistentSuffix,
  secretSuffix,
  suffixSeparator,
  type ScopeMask,
} from './scope.js'

/** What every guest-visible key starts with (vSphere's `guestinfo.` plus VIC's namespace). */
export const visiblePrefix = `${guestInfoPrefix}vice.`

/** Separator of map keys, struct-slice indices and the values of a primitive slice. */
export const listSeparator = '|'

/** Appended to a primitive slice's key for the key that holds its values. */
export const sliceValuesMarker = '~'

function withoutSuffix(key: string): string {
  const at = key.indexOf(suffixSeparator)
  return at === -1 ? key : key.slice(0, at)
}

/**
 * The key of a field named `name` with scope `scope` under the parent key `prefix` (VIC's calculateKey);
 * undefined when the scope is invalid or combines hidden with non-persistent (VIC then leaves the field out).
 */
export function childKey(scope: ScopeMask, prefix: string, name: string): string | undefined {
  if ((scope & Scope.Invalid) !== 0) return undefined
  const hide = (scope & Scope.Hidden) !== 0
  const write = (scope & Scope.ReadWrite) !== 0
  const visible = prefix.startsWith(guestInfoPrefix)
  const newSep = !hide && write ? '.' : '/'
  const oldSep = newSep === '.' ? '/' : '.'

  // a suffix on the parent is dropped here and re-added below only if this field's scope still carries it
  const parent = withoutSuffix(prefix)
  let out = parent === '' ? name.trim() : `${parent}${newSep}${name.trim()}`
  if ((scope & Scope.Secret) !== 0) out += suffixSeparator + secretSuffix
  if ((scope & Scope.NonPersistent) !== 0) {
    if (hide) return undefined
    out += suffixSeparator + nonPersistentSuffix
  }

  if (hide) return visible ? out.slice(visiblePrefix.length + 1) : out

  out = out.replaceAll(oldSep, newSep)
  if (!visible) return `${visiblePrefix}${newSep}${out}`
  // the replace above also hit the dots of the prefix itself; put it back
  return visiblePrefix + out.slice(visiblePrefix.length)
}

/** `prefix` + `separator` + `value`, keeping any `@…` suffix of `prefix` at the very end (VIC's appendToPrefix). */
export function appendToKey(prefix: string, separator: string, value: string): string {
  const at = prefix.indexOf(suffixSeparator)
  if (at === -1) return `${prefix}${separator}${value}`
  return `${prefix.slice(0, at)}${separator}${value}${prefix.slice(at)}`
}

/** The key of a map entry or struct-slice element: `networks|bridge`, `dns|0`. */
export function entryKey(key: string, entry: string | number): string {
  return appendToKey(key, listSeparator, String(entry))
}

/** The key that holds a primitive slice's `|`-joined values (the slice's own key holds its last index). */
export function sliceValuesKey(key: string): string {
  return appendToKey(key, '', sliceValuesMarker)
}

/**
 * A hidden key for a path of names (`hiddenKey('hostconfig', 'links')` = `hostconfig/links`): a key the guest cannot
 * read and that may be written while the VM runs. For keys of data this codec does not model, such as journals.
 */
export function hiddenKey(...path: string[]): string {
  let key = ''
  for (const name of path) {
    const next = childKey(Scope.Hidden, key, name)
    if (next === undefined) throw new Error(`no hidden key for ${JSON.stringify(path)}`)
    key = next
  }
  return key
}

/**
 * The key of a schema field under its parent's key. An untagged field takes the scope VIC infers from the parent's
 * key (keyScope), and non-persistent is inherited whatever the field declares.
 *
 * Remembered per field and parent key: every read of a VM computes the same few hundred keys, and the memo makes
 * decoding about 2.5 times faster. Parent keys below maps hold container and session IDs, so each field's memo is
 * bounded and starts over when full.
 */
export function fieldKey(field: Field, prefix: string): string | undefined {
  let known = fieldKeys.get(field)
  if (known === undefined) fieldKeys.set(field, (known = new Map()))
  const remembered = known.get(prefix)
  if (remembered !== undefined || known.has(prefix)) return remembered
  const inherited = keyScope(prefix)
  const scope = (field.scope ?? inherited) | (inherited & Scope.NonPersistent)
  const key = childKey(scope, prefix, field.key)
  if (known.size >= maxPrefixesPerField) known.clear()
  known.set(prefix, key)
  return key
}

const fieldKeys = new WeakMap<Field, Map<string, string | undefined>>()
const maxPrefixesPerField = 1024
