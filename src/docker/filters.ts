/**
 * docker's `filters` query parameter, pure: a JSON object from filter name to values, in either encoding clients
 * send (`{"label":{"a=b":true}}`, and the older `{"label":["a=b"]}`), checked against the filters an endpoint
 * offers; and the container filters of `GET /containers/json`. Values of one filter are alternatives, different
 * filters must all hold, and every `label` must hold (docker's rules).
 */
import type { ContainerView, NetworkDefinition } from '../container/types.js'
import { dockerConfigOf } from '../container/docker-config.js'
import { dockerState } from './container-json.js'
import { badRequest } from './errors.js'

export type Filters = Map<string, string[]>

export function parseFilters(text: string | undefined, allowed: readonly string[]): Filters {
  const filters: Filters = new Map()
  if (text === undefined || text === '') return filters
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw badRequest(`invalid filters: ${text.slice(0, 100)} is not JSON`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badRequest('invalid filters: expected a JSON object of filter names')
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!allowed.includes(name)) throw badRequest(`Invalid filter '${name}'`)
    let values: unknown[]
    if (Array.isArray(value)) values = value
    else if (typeof value === 'object' && value !== null)
      values = Object.entries(value as Record<string, unknown>)
        .filter(([, on]) => on === true)
        .map(([v]) => v)
    else throw badRequest(`invalid filters: the values of '${name}' must be a list or a map`)
    if (!values.every((v): v is string => typeof v === 'string'))
      throw badRequest(`invalid filters: the values of '${name}' must be strings`)
    filters.set(name, values)
  }
  return filters
}

export const containerFilterNames = ['label', 'name', 'id', 'status', 'network'] as const
const statuses = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']

/** A predicate over containers for the list's filters; refuses values docker refuses. */
export function containerMatcher(filters: Filters, networks: readonly NetworkDefinition[]): (view: ContainerView) => boolean {
  for (const status of filters.get('status') ?? [])
    if (!statuses.includes(status)) throw badRequest(`Invalid filter 'status=${status}'`)
  const names = (filters.get('name') ?? []).map((pattern) => {
    try {
      return new RegExp(pattern)
    } catch {
      throw badRequest(`Invalid filter 'name=${pattern}': not a regular expression`)
    }
  })
  const wantedNets = (filters.get('network') ?? []).map(
    (ref) => networks.find((n) => n.id === ref || n.name === ref)?.name ?? networks.find((n) => n.id.startsWith(ref))?.name ?? ref,
  )
  return (view) => {
    const labels = dockerConfigOf(view.annotations).Labels ?? {}
    for (const label of filters.get('label') ?? []) {
      const eq = label.indexOf('=')
      const key = eq < 0 ? label : label.slice(0, eq)
      if (!Object.hasOwn(labels, key)) return false
      if (eq >= 0 && labels[key] !== label.slice(eq + 1)) return false
    }
    if (names.length > 0 && !names.some((re) => re.test(`/${view.name}`))) return false
    const ids = filters.get('id') ?? []
    if (ids.length > 0 && !ids.some((id) => view.id.startsWith(id))) return false
    const wantedStatus = filters.get('status') ?? []
    if (wantedStatus.length > 0 && !wantedStatus.includes(dockerState(view))) return false
    if (wantedNets.length > 0 && !wantedNets.some((net) => Object.hasOwn(view.networks, net))) return false
    return true
  }
}
