/**
 * What every route declares besides its own shapes: an operationId, tags and a summary for the OpenAPI document, the
 * `Op-ID` header, and the error responses it can give (all `{code, message}`, the shared Error schema).
 */
import type { TSchema } from 'typebox'
import { Type } from 'typebox'
import { OpIdHeaders } from './schemas.js'

const errorDescriptions: Record<number, string> = {
  400: 'invalid request: `invalid_request`, `invalid_name`, `name_empty`, `same_name`',
  401: '`unauthorized`: the service runs with a bearer token and the request did not carry it',
  404: '`not_found`: no such container or network',
  409:
    'conflict: `ambiguous_ref`, `name_conflict`, `rename_not_supported`, `invalid_state`, `container_running`, ' +
    '`conflict`',
  413: '`payload_too_large`: the body exceeds the limit (1 MiB by default)',
  415: '`unsupported_media_type`: the body is not application/json',
  500: '`internal`: an unexpected failure; the service log has the details under the Op-ID',
  503: '`vsphere_unavailable` (vSphere cannot be reached) or `shutting_down`: retry after `Retry-After` seconds',
}

function errorResponse(status: number) {
  return Type.Unsafe<{ code: string; message: string }>({
    $ref: 'Error#',
    description: errorDescriptions[status] ?? 'error',
  })
}

type ErrorResponses = Record<number, ReturnType<typeof errorResponse>>

export interface OperationSchema {
  body?: TSchema
  querystring?: TSchema
  params?: TSchema
  response: Record<number, TSchema | { description: string; content: Record<string, { schema: TSchema }> }>
}

/** Every route may fail validation (400), the token guard (401), unexpectedly (500) and on vSphere (503). */
const commonErrors = [400, 401, 500, 503]
/** A public route (`security: []`) passes no token guard and asks nothing of vSphere. */
const publicErrors = [400, 500]

export function operation<S extends OperationSchema>(
  meta: { operationId: string; tags: string[]; summary: string; description?: string; security?: [] },
  schema: S,
  errors: number[] = [],
) {
  const response: ErrorResponses = {}
  const common = meta.security?.length === 0 ? publicErrors : commonErrors
  for (const status of new Set([...errors, ...common].sort((a, b) => a - b))) response[status] = errorResponse(status)
  return {
    ...meta,
    headers: OpIdHeaders,
    ...schema,
    // Typed as the route's own responses: handlers are checked against their success shapes, while errors are sent
    // by the error handler in their one shape.
    response: { ...response, ...schema.response } as S['response'],
  }
}
