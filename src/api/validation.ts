/**
 * Request validation with typebox's compiled checkers instead of fastify's default ajv setup, which would silently
 * drop unknown body fields (`removeAdditional`) and coerce body types. Bodies are checked exactly as sent. Query
 * strings, path parameters and headers arrive as text, so digits become integers and `true`/`false`/`1`/`0` become
 * booleans where the schema asks for them; nothing looser (`1.5`, `''`, `0x10` stay strings and fail).
 */
import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'

interface PropertySchemas {
  properties?: Record<string, { type?: unknown }>
}

function coerceText(type: unknown, value: string): unknown {
  if (type === 'integer' && /^-?\d{1,15}$/.test(value)) return Number(value)
  if (type === 'boolean') {
    if (value === 'true' || value === '1') return true
    if (value === 'false' || value === '0') return false
  }
  return value
}

/** A copy of `value` with the text of integer and boolean properties converted; anything else is left alone. */
export function coerceTextFields(schema: TSchema, value: unknown): unknown {
  const properties = (schema as PropertySchemas).properties
  if (!properties || typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  for (const [key, property] of Object.entries(properties)) {
    const text = out[key]
    if (typeof text === 'string') out[key] = coerceText(property.type, text)
  }
  return out
}

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const checker = Compile(schema)
  return (value: unknown) => {
    const converted = httpPart === 'body' ? value : coerceTextFields(schema, value)
    if (checker.Check(converted)) return { value: converted }
    return { error: checker.Errors(converted) as never }
  }
}
