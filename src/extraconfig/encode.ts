/**
 * The generic encoder: a value described by a schema node → the keys and values VIC's encoder would write for it.
 *
 * Values come out decoded ('' for empty; wire.ts turns them into `<nil>`). Like VIC, every string, number and bool
 * is written even when empty or zero; empty slices, empty maps, empty byte strings and absent pointers are not
 * written at all. A slice writes its last index under its own key; a map writes its sorted, `|`-joined keys.
 */
import { entryKey, fieldKey, listSeparator, sliceValuesKey } from './key.js'
import type { Node } from './schema.js'

export type Sink = (key: string, value: string) => void

/** Go's `sort.Strings` order: byte order of UTF-8, which is code point order (not JS's UTF-16 order). */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a]
  const right = [...b]
  const n = Math.min(left.length, right.length)
  for (let i = 0; i < n; i++) {
    const diff = (left[i]?.codePointAt(0) ?? 0) - (right[i]?.codePointAt(0) ?? 0)
    if (diff !== 0) return diff
  }
  return left.length - right.length
}

function integer(value: unknown, key: string): string {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value.toString()
  if (value === undefined) return '0'
  throw new TypeError(`${key}: ${String(value)} is not a whole number`)
}

function primitive(node: Node, value: unknown, key: string): string {
  switch (node.kind) {
    case 'string':
      return value === undefined ? '' : String(value)
    case 'bool':
      return value === true ? 'true' : 'false'
    default:
      return integer(value, key)
  }
}

function base64(value: unknown): string {
  if (!(value instanceof Uint8Array)) return ''
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
}

export function encodeNode(node: Node, value: unknown, key: string, sink: Sink): void {
  switch (node.kind) {
    case 'string':
    case 'int':
    case 'uint':
    case 'int64':
    case 'bool':
      sink(key, primitive(node, value, key))
      return
    case 'bytes': {
      const text = base64(value)
      if (text !== '') sink(key, text)
      return
    }
    case 'pointer':
      if (value !== undefined && value !== null) encodeNode(node.target, value, key, sink)
      return
    case 'struct': {
      const object = (value ?? {}) as Record<string, unknown>
      for (const [name, field] of Object.entries(node.fields)) {
        const child = fieldKey(field, key)
        if (child === undefined) continue
        // an embedded struct's fields live on the parent object itself
        encodeNode(field.node, field.embedded ? object : object[name], child, sink)
      }
      return
    }
    case 'slice': {
      const items = (value ?? []) as readonly unknown[]
      if (items.length === 0) return
      const elements = node.elements
      if (elements.kind === 'struct' || elements.kind === 'bytes') {
        items.forEach((item, index) => encodeNode(elements, item, entryKey(key, index), sink))
      } else {
        const values = items.map((item) => primitive(elements, item, key))
        sink(sliceValuesKey(key), values.join(listSeparator))
      }
      sink(key, String(items.length - 1))
      return
    }
    case 'map': {
      const entries = Object.entries((value ?? {}) as Record<string, unknown>)
      if (entries.length === 0) return
      for (const [name, item] of entries) encodeNode(node.values, item, entryKey(key, name), sink)
      const names = entries.map(([name]) => name).sort(compareCodePoints)
      sink(key, names.join(listSeparator))
      return
    }
  }
}

/** Every key and (decoded) value for `value`, encoded from the root (VIC's Encode). */
export function encode(node: Node, value: unknown): Map<string, string> {
  const out = new Map<string, string>()
  encodeNode(node, value, '', (key, text) => out.set(key, text))
  return out
}
