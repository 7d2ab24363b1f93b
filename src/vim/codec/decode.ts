/**
 * Raw element tree → typed values, driven by the type tables: a field declared as a list is always a list (also
 * with one element or none), a scalar is always a scalar; xsd numbers, booleans and dates are converted only where
 * the schema or the element's xsi:type says so; `ArrayOfX` values become plain lists; a MoRef becomes
 * `{ type, value }`. The xsi:type of a value whose declared type is a base type is kept in `_type`.
 *
 * Fields that are not in the tables are still read, generically (text stays text, repeated elements become a
 * list), so a newer server adding fields breaks nothing; add a field to the table to give it a stable shape.
 * This module also turns a SOAP response into its `returnval` or a `VimFault`.
 */

import { VimProtocolError } from '../errors.js'
import { VimFault } from '../fault.js'
import { typeInfo, xsdPrimitives, type Field, type TypeInfo } from '../schema/registry.js'
import type { MethodFaultData } from '../types.js'
import { attr, childNames, children, firstChild, parseXml, text, xsiType, type RawElement, type RawNode } from './parse.js'

/** Decodes one element whose declared type is `declared` (a primitive, `any`, a MoRef or a table type). */
export function decodeValue(node: RawNode, declared: string): unknown {
  const actual = xsiType(node)
  const type = actual ?? declared
  if (type === 'any') return decodeUntyped(node, undefined)
  if (type.startsWith('ArrayOf')) return decodeArrayOf(node, type)
  if (type === 'ManagedObjectReference') return decodeMoRef(node)
  if (xsdPrimitives.has(type)) return decodePrimitive(type, text(node))
  const typeName = actual !== undefined && actual !== declared ? actual : undefined
  const info = typeInfo(type) ?? (declared !== 'any' ? typeInfo(declared) : undefined)
  return info ? decodeObject(node, info, typeName) : decodeUntyped(node, typeName)
}

function decodeObject(node: RawNode, info: TypeInfo, typeName: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (typeName !== undefined) out['_type'] = typeName
  for (const field of info.fields) {
    if (field.array && field.name !== 'dynamicProperty') out[field.name] = []
  }
  for (const name of childNames(node)) {
    const items = children(node, name)
    const field: Field | undefined = info.byName.get(name)
    if (field === undefined) {
      out[name] = items.length === 1 ? decodeValue(items[0] as RawNode, 'any') : items.map(anyValue)
    } else if (field.array) {
      out[name] = items.map((item) => decodeValue(item, field.type))
    } else if (items.length > 0) {
      out[name] = decodeValue(items[0] as RawNode, field.type)
    }
  }
  return out
}

const arrayItemTypes: Record<string, string> = {
  String: 'string',
  Int: 'int',
  Long: 'long',
  Short: 'short',
  Byte: 'byte',
  Boolean: 'boolean',
  Double: 'double',
  Float: 'float',
  DateTime: 'dateTime',
  AnyType: 'any',
  AnyURI: 'anyURI',
  Base64Binary: 'base64Binary',
}

function decodeArrayOf(node: RawNode, type: string): unknown[] {
  const suffix = type.slice('ArrayOf'.length)
  const itemType = arrayItemTypes[suffix] ?? suffix
  const out: unknown[] = []
  for (const name of childNames(node)) {
    for (const item of children(node, name)) out.push(decodeValue(item, itemType))
  }
  return out
}

function decodeMoRef(node: RawNode): { type: string; value: string } {
  const type = attr(node, 'type')
  if (type === undefined) throw new VimProtocolError('a managed object reference has no type attribute')
  return { type, value: text(node) }
}

const xsdInteger = /^[+-]?[0-9]+$/

function decodePrimitive(type: string, value: string): unknown {
  switch (type) {
    case 'boolean':
      if (value === 'true' || value === '1') return true
      if (value === 'false' || value === '0') return false
      throw new VimProtocolError(`"${value}" is not an xsd:boolean`)
    case 'int':
    case 'short':
    case 'byte':
    case 'long':
      if (!xsdInteger.test(value)) throw new VimProtocolError(`"${value}" is not an xsd:${type}`)
      return Number(value)
    case 'double':
    case 'float': {
      const n = Number(value)
      if (value.trim() === '' || Number.isNaN(n)) throw new VimProtocolError(`"${value}" is not an xsd:${type}`)
      return n
    }
    case 'dateTime': {
      const d = new Date(value)
      if (Number.isNaN(d.getTime())) throw new VimProtocolError(`"${value}" is not an xsd:dateTime`)
      return d
    }
    default:
      return value
  }
}

const anyValue = (node: RawNode): unknown => decodeValue(node, 'any')

/**
 * A value with no table entry: text stays text (enumerations such as a power state are text), an element with a
 * `type` attribute and text is a MoRef, children become fields (a list when repeated).
 */
function decodeUntyped(node: RawNode, typeName: string | undefined): unknown {
  if (typeof node === 'string') return node
  const names = childNames(node)
  if (names.length === 0) {
    const type = attr(node, 'type')
    if (type !== undefined) return { type, value: text(node) }
    return typeName !== undefined && text(node) === '' ? { _type: typeName } : text(node)
  }
  const out: Record<string, unknown> = {}
  if (typeName !== undefined) out['_type'] = typeName
  for (const name of names) {
    const items = children(node, name)
    out[name] = items.length === 1 ? decodeValue(items[0] as RawNode, 'any') : items.map(anyValue)
  }
  return out
}

/** What a response body holds: the method's `returnval` decoded as `returns`, or a fault to throw. */
export function decodeResponse(xml: string, methodName: string, returns: Field | undefined): unknown {
  const body = firstChild(firstChild(parseXml(xml), 'Envelope'), 'Body')
  if (body === undefined || typeof body === 'string') throw new VimProtocolError('the vSphere answer has no SOAP Body')
  const fault = firstChild(body, 'Fault')
  if (fault !== undefined) throw decodeSoapFault(fault)
  const response = firstChild(body, `${methodName}Response`)
  if (response === undefined) {
    throw new VimProtocolError(`the vSphere answer to ${methodName} has no ${methodName}Response element`)
  }
  if (!returns) return undefined
  const values = children(response, 'returnval')
  if (returns.array) return values.map((v) => decodeValue(v, returns.type))
  const first = values[0]
  return first === undefined ? undefined : decodeValue(first, returns.type)
}

/** A `<Fault>` element → VimFault: its type from `detail` (xsi:type, or the element name less "Fault"). */
export function decodeSoapFault(fault: RawNode): VimFault {
  const message = text(firstChild(fault, 'faultstring'))
  const detail = firstChild(fault, 'detail')
  const name = detail === undefined ? undefined : childNames(detail)[0]
  const node = name === undefined ? undefined : firstChild(detail, name)
  if (name === undefined || node === undefined) {
    const code = text(firstChild(fault, 'faultcode'))
    return new VimFault('RuntimeFault', message || `SOAP fault ${code} without detail`)
  }
  const faultType = xsiType(node) ?? (name.endsWith('Fault') ? name.slice(0, -'Fault'.length) : name)
  const data = decodeValue(withType(node, faultType), 'MethodFault') as MethodFaultData
  return VimFault.fromData(data, message)
}

function withType(node: RawNode, faultType: string): RawNode {
  if (typeof node === 'string') return { '@xsi:type': faultType, '#text': node }
  return { ...node, '@xsi:type': faultType } as RawElement
}
