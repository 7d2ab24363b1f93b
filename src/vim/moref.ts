/**
 * Managed object references: vSphere's handle for a server-side object (a VM, a folder, a task).
 * The type parameter brands a reference with its managed object type, so a host cannot be passed where a VM is
 * expected; the value is opaque (datastore references contain `/` and `@`) and is never parsed.
 */

export interface MoRef<T extends string = string> {
  readonly type: T
  readonly value: string
}

export function moref<T extends string>(type: T, value: string): MoRef<T> {
  return { type, value }
}

/** Narrows a reference read from the server (whose type is only known at run time) to the expected type. */
export function asMoRef<T extends string>(ref: MoRef, type: T): MoRef<T> {
  if (ref.type !== type) throw new TypeError(`expected a ${type} reference, got ${ref.type}:${ref.value}`)
  return ref as MoRef<T>
}

export function isMoRef(value: unknown): value is MoRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as MoRef).type === 'string' &&
    typeof (value as MoRef).value === 'string' &&
    Object.keys(value).length === 2
  )
}

export function sameMoRef(a: MoRef | undefined, b: MoRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.type === b.type && a.value === b.value
}

/** A stable string form, for map keys and log fields. */
export function moRefKey(ref: MoRef): string {
  return `${ref.type}:${ref.value}`
}
