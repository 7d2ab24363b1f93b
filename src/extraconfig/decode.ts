/**
 * The generic decoder: keys and values → a value described by a schema node, computing the same keys the encoder
 * writes (mangled separators included) and parsing values the way VIC's Go decoder does: an absent or empty value
 * is the zero value, an unparsable number or bool is the zero value, invalid base64 is absent, map keys come from
 * the map's own key and a slice's length from its last index.
 */
import { entryKey, fieldKey, listSeparator, sliceValuesKey } from './key.js'
import { zeroValue, type Node } from './schema.js'

/** Decoded value of a key ('' for `<nil>`), or undefined when the key is absent. */
export type Source = (key: string) => string | undefined

interface Decoded {
  readonly value: unknown
  /** whether any key of the value existed: decides if a pointer is present */
  readonly found: boolean
}

const int64Min = -(2n ** 63n)
const int64Max = 2n ** 63n - 1n
const uint64Max = 2n ** 64n - 1n

/** Go's strconv.ParseInt / ParseUint in base 10 over 64 bits; undefined when Go would fail. */
function parseInteger(text: string, signed: boolean): bigint | undefined {
  if (!(signed ? /^[+-]?[0-9]+$/ : /^[0-9]+$/).test(text)) return undefined
  const value = BigInt(text)
  if (signed ? value < int64Min || value > int64Max : value > uint64Max) return undefined
  return value
}

/** Go's strconv.ParseBool. */
function parseBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false
  return undefined
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function parseBytes(text: string): Uint8Array | undefined {
  // Go's standard decoding skips line breaks and insists on padding; Node's Buffer accepts anything
  const compact = text.replace(/[\r\n]/g, '')
  if (!base64Pattern.test(compact)) return undefined
  return Uint8Array.from(Buffer.from(compact, 'base64'))
}

function primitive(node: Node, text: string): unknown {
  if (text === '') return zeroValue(node)
  switch (node.kind) {
    case 'string':
      return text
    case 'bool':
      return parseBool(text) ?? false
    case 'int':
    case 'uint': {
      // Go's int is 64 bits; one a JS number cannot hold exactly is read as unparsable, since the encoder could
      // not write it back (a data version or a count that large is corruption, not data)
      const value = Number(parseInteger(text, node.kind === 'int') ?? 0n)
      return Number.isSafeInteger(value) ? value : 0
    }
    case 'int64':
      return parseInteger(text, true) ?? 0n
    default:
      return zeroValue(node)
  }
}

/** Bound on elements read for a struct slice, against a corrupted last index (ExtraConfig holds far fewer keys). */
const maxIndexedElements = 65_536

/** A slice's length from its last-index key: Go reads an unparsable index as 0, i.e. one element. */
function sliceLength(text: string | undefined): number {
  if (text === undefined || text === '') return 0
  const last = Number(parseInteger(text, true) ?? 0n)
  return Math.max(0, Math.min(last + 1, maxIndexedElements))
}

export function decodeNode(node: Node, source: Source, key: string): Decoded {
  switch (node.kind) {
    case 'string':
    case 'int':
    case 'uint':
    case 'int64':
    case 'bool': {
      const text = source(key)
      return { value: text === undefined ? zeroValue(node) : primitive(node, text), found: text !== undefined }
    }
    case 'bytes': {
      const text = source(key)
      const value = text === undefined ? undefined : parseBytes(text)
      return { value: value ?? zeroValue(node), found: value !== undefined }
    }
    case 'pointer': {
      const target = decodeNode(node.target, source, key)
      return { value: target.found ? target.value : undefined, found: target.found }
    }
    case 'struct': {
      const out: Record<string, unknown> = {}
      let found = false
      for (const [name, field] of Object.entries(node.fields)) {
        const child = fieldKey(field, key)
        if (child === undefined) {
          if (field.embedded) Object.assign(out, zeroValue(field.node))
          else if (field.node.kind !== 'pointer') out[name] = zeroValue(field.node)
          continue
        }
        const decoded = decodeNode(field.node, source, child)
        found ||= decoded.found
        if (field.embedded) Object.assign(out, decoded.value)
        else if (decoded.value !== undefined) out[name] = decoded.value
      }
      return { value: out, found }
    }
    case 'slice': {
      const lastIndex = source(key)
      const elements = node.elements
      if (elements.kind === 'struct' || elements.kind === 'bytes') {
        const length = sliceLength(lastIndex)
        const items = Array.from({ length }, (_, index) => decodeNode(elements, source, entryKey(key, index)).value)
        return { value: items, found: lastIndex !== undefined }
      }
      const joined = source(sliceValuesKey(key))
      // Go indexes past the end of the values and fails; here a short (or absent) list is cut at what is there
      const values = joined === undefined ? [] : joined.split(listSeparator)
      const length = Math.min(sliceLength(lastIndex), values.length)
      const items = Array.from({ length }, (_, index) => primitive(elements, values[index] ?? ''))
      return { value: items, found: lastIndex !== undefined || joined !== undefined }
    }
    case 'map': {
      const names = source(key)
      const out: Record<string, unknown> = {}
      if (names === undefined || names === '') return { value: out, found: names !== undefined }
      for (const name of names.split(listSeparator)) {
        // an empty name has no key of its own to read, and the encoder could not list it apart from no entry
        if (name === '') continue
        const entry = decodeNode(node.values, source, entryKey(key, name))
        // a listed entry of primitives that has no key of its own is left out, as in Go
        // defined, not assigned: a map key may be any string, `__proto__` included
        if (entry.found || node.values.kind === 'struct' || node.values.kind === 'map' || node.values.kind === 'slice')
          Object.defineProperty(out, name, { value: entry.value, enumerable: true, writable: true, configurable: true })
      }
      return { value: out, found: true }
    }
  }
}

/** The value for `node` decoded from the root (VIC's Decode). */
export function decode(node: Node, source: Source): unknown {
  return decodeNode(node, source, '').value
}
