/**
 * The compiled form of the type tables: every type's full field list (inherited fields first, as the WSDL's
 * xsd:extension chains put them), a by-name index for the decoder, and the subtype relation for fault matching.
 * Built once at module load from data-types.ts.
 */

import { dataTypes, faultTypes, type TypeEntry } from './data-types.js'

export const xsdPrimitives = new Set([
  'string',
  'boolean',
  'int',
  'long',
  'short',
  'byte',
  'double',
  'float',
  'dateTime',
  'base64Binary',
  'anyURI',
])

export interface Field {
  readonly name: string
  /** A primitive, `any`, `ManagedObjectReference`, or a type name. */
  readonly type: string
  readonly array: boolean
}

export interface TypeInfo {
  readonly name: string
  readonly base: string | null
  /** In WSDL order, inherited fields first. */
  readonly fields: readonly Field[]
  readonly byName: ReadonlyMap<string, Field>
}

const entries: Record<string, TypeEntry> = { ...dataTypes, ...faultTypes }
const compiled = new Map<string, TypeInfo>()

/** Parses `name:type name:type[]` (the table syntax, also used for method parameters). */
export function parseFields(spec: string): Field[] {
  return spec
    .split(/\s+/)
    .filter((s) => s.length > 0)
    .map((s) => {
      const [name, rawType] = s.split(':')
      if (!name || !rawType) throw new Error(`bad field spec "${s}"`)
      const array = rawType.endsWith('[]')
      return { name, type: array ? rawType.slice(0, -2) : rawType, array }
    })
}

function compile(name: string, seen: readonly string[] = []): TypeInfo {
  const done = compiled.get(name)
  if (done) return done
  const entry = entries[name]
  if (!entry) throw new Error(`no type entry for ${name}`)
  if (seen.includes(name)) throw new Error(`type cycle through ${name}`)
  const [base, own] = entry
  const inherited = base ? compile(base, [...seen, name]).fields : []
  const fields = [...inherited, ...parseFields(own)]
  const info: TypeInfo = { name, base, fields, byName: new Map(fields.map((f) => [f.name, f])) }
  compiled.set(name, info)
  return info
}

for (const name of Object.keys(entries)) compile(name)

export function typeInfo(name: string): TypeInfo | undefined {
  return compiled.get(name)
}

export function isKnownType(name: string): boolean {
  return compiled.has(name)
}

/** True when `type` is `ancestor` or derives from it (InvalidPowerState → InvalidState → VimFault). */
export function isSubtypeOf(type: string, ancestor: string): boolean {
  for (let t: string | null | undefined = type; t; t = compiled.get(t)?.base) {
    if (t === ancestor) return true
  }
  return false
}

export function isFaultType(name: string): boolean {
  return isSubtypeOf(name, 'MethodFault')
}
