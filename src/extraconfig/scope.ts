/**
 * Scopes: who may see or change an ExtraConfig key, as VIC's encoder declares them per field and as its filters
 * infer them back from a finished key. The bit values are VIC's own, so a mask means the same thing here and there.
 *
 * A field's scope tag is a comma list of words; an empty tag means hidden|read-only and an unknown word makes the
 * field invalid (VIC then silently leaves it out). `secret` implies read-only.
 */

export const Scope = {
  Invalid: 1 << 0,
  Hidden: 1 << 1,
  ReadOnly: 1 << 2,
  WriteOnly: 1 << 3,
  ReadWrite: 1 << 4,
  NonPersistent: 1 << 5,
  Volatile: 1 << 6,
  Secret: 1 << 7,
} as const

/** A bit mask of `Scope` flags. */
export type ScopeMask = number

export type ScopeWord = 'hidden' | 'read-only' | 'read-write' | 'volatile' | 'non-persistent' | 'secret'

/** A scope tag as written in a schema: up to three words, comma separated, or '' for VIC's default. */
export type ScopeTag = '' | ScopeWord | `${ScopeWord},${ScopeWord}` | `${ScopeWord},${ScopeWord},${ScopeWord}`

const wordFlags: Readonly<Record<ScopeWord, ScopeMask>> = {
  hidden: Scope.Hidden,
  'read-only': Scope.ReadOnly,
  'read-write': Scope.ReadWrite,
  volatile: Scope.Volatile,
  'non-persistent': Scope.NonPersistent,
  secret: Scope.Secret | Scope.ReadOnly,
}

/** The mask for a list of scope words; `['']` and `[]` are VIC's default, hidden|read-only. */
export function scopeFromWords(words: readonly string[]): ScopeMask {
  if (words.every((word) => word === '')) return Scope.Hidden | Scope.ReadOnly
  let mask = 0
  for (const word of words) {
    const flag = Object.hasOwn(wordFlags, word) ? wordFlags[word as ScopeWord] : undefined
    if (flag === undefined) return Scope.Invalid
    mask |= flag
  }
  return mask
}

/** The mask for a tag as written in a schema (`'read-only,non-persistent'`). */
export function scopeFromTag(tag: string): ScopeMask {
  return scopeFromWords(tag.split(','))
}

export const guestInfoPrefix = 'guestinfo.'
export const suffixSeparator = '@'
export const secretSuffix = 'secret'
export const nonPersistentSuffix = 'non-persistent'

function hasSuffix(key: string, suffix: string): boolean {
  return key.split(suffixSeparator).slice(1).includes(suffix)
}

/**
 * The scope VIC infers from a finished key: hidden when it lacks the `guestinfo.` prefix, read-only when it
 * contains a `/` anywhere (else read-write), plus its `@secret` / `@non-persistent` suffixes. VIC uses this both to
 * filter what it sends and to give untagged fields their parent's scope, so the quirks (a `/` inside a map key makes
 * a read-write key look read-only) are part of the format.
 */
export function keyScope(key: string): ScopeMask {
  // the words VIC would list, folded straight into their flags: this runs for every field of every VM read
  let mask = key.includes('/') ? Scope.ReadOnly : Scope.ReadWrite
  if (!key.startsWith(guestInfoPrefix)) mask |= Scope.Hidden
  if (key.includes(suffixSeparator)) {
    if (hasSuffix(key, secretSuffix)) mask |= wordFlags.secret
    if (hasSuffix(key, nonPersistentSuffix)) mask |= Scope.NonPersistent
  }
  return mask
}

/** The scope words a mask holds, for messages and logs. */
export function scopeWords(mask: ScopeMask): string[] {
  const names: Array<[keyof typeof Scope, string]> = [
    ['Invalid', 'invalid'],
    ['Hidden', 'hidden'],
    ['ReadOnly', 'read-only'],
    ['WriteOnly', 'write-only'],
    ['ReadWrite', 'read-write'],
    ['NonPersistent', 'non-persistent'],
    ['Volatile', 'volatile'],
    ['Secret', 'secret'],
  ]
  return names.filter(([flag]) => (mask & Scope[flag]) !== 0).map(([, word]) => word)
}

/**
 * Whether a key may be sent to a powered-on VM. VIC sends a running VM only hidden and non-persistent keys:
 * live updates of persistent guest-visible keys hit an ESX bug (vmware/vic#5533), and the guest's tether owns them
 * while it runs.
 */
export function writableWhileRunning(key: string): boolean {
  return (keyScope(key) & (Scope.Hidden | Scope.NonPersistent)) !== 0
}
