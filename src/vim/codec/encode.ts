/**
 * Writes a vim25 request: the SOAP envelope, the `operationID` header and the method element with its
 * parameters, each data object's fields in WSDL order (schema/data-types.ts), never in JS key order.
 *
 * Values are checked while writing, so a bad request fails here with a field path instead of at vCenter:
 * characters XML 1.0 cannot carry, a key that is not a field of the type (a typo would otherwise be dropped
 * silently by vcsim and rejected by vCenter), a number where a string belongs. `undefined` and `null` mean
 * "absent": vCenter may read an empty complex element as a value, so nothing is written for them.
 */

import { VimEncodeError } from '../errors.js'
import { isMoRef, type MoRef } from '../moref.js'
import { isSubtypeOf, typeInfo, xsdPrimitives, type Field } from '../schema/registry.js'
import { assertXmlChars, escapeAttr, escapeText } from './xml-text.js'

export const soapEnvelopeOpen =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
  ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'

export interface RequestShape {
  readonly name: string
  readonly params: readonly Field[]
}

// per method, made on its first call rather than on every call
const parameterNameSets = new WeakMap<RequestShape, ReadonlySet<string>>()

function parameterNames(method: RequestShape): ReadonlySet<string> {
  let names = parameterNameSets.get(method)
  if (names === undefined) {
    names = new Set(method.params.map((p) => p.name))
    parameterNameSets.set(method, names)
  }
  return names
}

/** The whole request body for `method` called with `args` (keyed by parameter name). */
export function encodeRequest(method: RequestShape, args: Readonly<Record<string, unknown>>, opId?: string): string {
  let out = soapEnvelopeOpen
  if (opId !== undefined && opId !== '') {
    assertXmlChars(opId, 'operationID')
    out += `<soapenv:Header><operationID>${escapeText(opId)}</operationID></soapenv:Header>`
  }
  out += `<soapenv:Body><${method.name} xmlns="urn:vim25">`
  const known = parameterNames(method)
  for (const key of Object.keys(args)) {
    if (!known.has(key)) throw new VimEncodeError(`${method.name}.${key}`, `${method.name} has no parameter "${key}"`)
  }
  for (const param of method.params) {
    out += encodeField(param, args[param.name], `${method.name}.${param.name}`)
  }
  return out + `</${method.name}></soapenv:Body></soapenv:Envelope>`
}

function encodeField(field: Field, value: unknown, path: string): string {
  if (value === undefined || value === null) return ''
  if (field.array) {
    if (!Array.isArray(value)) throw new VimEncodeError(path, `expected a list of ${field.type}`)
    let out = ''
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (item === undefined || item === null) throw new VimEncodeError(`${path}[${i}]`, 'a list cannot hold an empty item')
      out += encodeElement(field.name, field.type, item, `${path}[${i}]`)
    }
    return out
  }
  if (Array.isArray(value)) throw new VimEncodeError(path, `expected one ${field.type}, got a list`)
  return encodeElement(field.name, field.type, value, path)
}

function encodeElement(name: string, declared: string, value: unknown, path: string): string {
  if (declared === 'any') return encodeAny(name, value, path)
  if (declared === 'ManagedObjectReference') return encodeMoRef(name, value, path, false)
  if (xsdPrimitives.has(declared)) return `<${name}>${encodePrimitive(declared, value, path)}</${name}>`
  return encodeDataObject(name, declared, value, path)
}

function encodeMoRef(name: string, value: unknown, path: string, typed: boolean): string {
  if (!isMoRef(value)) throw new VimEncodeError(path, 'expected a managed object reference {type, value}')
  const ref: MoRef = value
  assertXmlChars(ref.type, `${path}.type`)
  assertXmlChars(ref.value, `${path}.value`)
  const xsiType = typed ? ' xsi:type="ManagedObjectReference"' : ''
  return `<${name}${xsiType} type="${escapeAttr(ref.type)}">${escapeText(ref.value)}</${name}>`
}

function encodeDataObject(name: string, declared: string, value: unknown, path: string): string {
  if (typeof value !== 'object' || value === null || value instanceof Date) {
    throw new VimEncodeError(path, `expected a ${declared} object`)
  }
  const obj = value as Record<string, unknown>
  const actual = typeof obj['_type'] === 'string' ? obj['_type'] : declared
  const info = typeInfo(actual)
  if (!info) throw new VimEncodeError(path, `${actual} has no field-order table, so it cannot be sent`)
  if (actual !== declared && declared !== 'any' && !isSubtypeOf(actual, declared)) {
    throw new VimEncodeError(path, `${actual} is not a kind of ${declared}`)
  }
  for (const key of Object.keys(obj)) {
    if (key !== '_type' && !info.byName.has(key)) {
      throw new VimEncodeError(`${path}.${key}`, `${actual} has no field "${key}" in its field-order table`)
    }
  }
  let out = actual === declared ? `<${name}>` : `<${name} xsi:type="${actual}">`
  for (const field of info.fields) out += encodeField(field, obj[field.name], `${path}.${field.name}`)
  return out + `</${name}>`
}

/** A value of declared type xsd:anyType: its xsi:type is always written, taken from the JS value. */
function encodeAny(name: string, value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      return `<${name} xsi:type="xsd:string">${encodePrimitive('string', value, path)}</${name}>`
    case 'boolean':
      return `<${name} xsi:type="xsd:boolean">${value}</${name}>`
    case 'number': {
      const type = !Number.isInteger(value) ? 'double' : Math.abs(value) <= 0x7fffffff ? 'int' : 'long'
      return `<${name} xsi:type="xsd:${type}">${encodePrimitive(type, value, path)}</${name}>`
    }
    case 'bigint':
      return `<${name} xsi:type="xsd:long">${value.toString()}</${name}>`
    case 'object':
      if (value instanceof Date) return `<${name} xsi:type="xsd:dateTime">${encodePrimitive('dateTime', value, path)}</${name}>`
      if (isMoRef(value)) return encodeMoRef(name, value, path, true)
      if (value !== null && typeof (value as { _type?: unknown })._type === 'string') {
        return encodeDataObject(name, 'any', value, path)
      }
  }
  throw new VimEncodeError(path, 'a value of type "any" must be a string, number, boolean, Date, MoRef or carry _type')
}

function encodePrimitive(type: string, value: unknown, path: string): string {
  switch (type) {
    case 'string':
    case 'anyURI':
    case 'base64Binary':
      if (typeof value !== 'string') throw new VimEncodeError(path, `expected a string, got ${typeof value}`)
      assertXmlChars(value, path)
      return escapeText(value)
    case 'boolean':
      if (typeof value !== 'boolean') throw new VimEncodeError(path, `expected a boolean, got ${typeof value}`)
      return value ? 'true' : 'false'
    case 'int':
    case 'short':
    case 'byte':
    case 'long':
      if (typeof value === 'bigint' && type === 'long') return value.toString()
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw new VimEncodeError(path, `expected an integer, got ${String(value)}`)
      }
      return String(value)
    case 'double':
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new VimEncodeError(path, `expected a finite number, got ${String(value)}`)
      }
      return String(value)
    case 'dateTime':
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString()
      throw new VimEncodeError(path, 'expected a valid Date')
    default:
      throw new VimEncodeError(path, `unknown primitive type ${type}`)
  }
}
