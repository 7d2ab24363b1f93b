/** Query parameters as docker's daemon reads them, pure: booleans, whole numbers, names. */
import { badRequest } from './errors.js'

export type Query = Record<string, unknown>

function text(query: Query, key: string): string | undefined {
  const value = query[key]
  if (Array.isArray(value)) return value.length === 0 ? undefined : String(value[value.length - 1])
  return value === undefined ? undefined : String(value)
}

/** docker's BoolValue: absent, '', 0, no, false and none are false; anything else is true. */
export function boolParam(query: Query, key: string): boolean {
  const s = (text(query, key) ?? '').trim().toLowerCase()
  return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none')
}

export function stringParam(query: Query, key: string): string | undefined {
  return text(query, key)
}

export function intParam(query: Query, key: string, min = Number.MIN_SAFE_INTEGER): number | undefined {
  const s = text(query, key)
  if (s === undefined || s === '') return undefined
  if (!/^-?\d{1,15}$/.test(s) || Number(s) < min) throw badRequest(`invalid value for ${key}: ${JSON.stringify(s.slice(0, 50))} is not a whole number${min === 0 ? ' of 0 or more' : ''}`)
  return Number(s)
}

/** A container reference from the path: docker accepts a name with its leading `/`. */
export function containerRef(ref: string): string {
  return ref.replace(/^\//, '')
}
