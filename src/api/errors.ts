/**
 * The one error table of the REST API: container error kinds, fastify's own request errors and schema validation
 * failures become an HTTP status and a `{code, message}` body with a stable snake_case code. Anything else is a bug
 * or an outage the client cannot act on: it becomes 500 `internal` with a generic message, and its details go only
 * to the log.
 */
import type { FastifyError } from 'fastify'
import { ContainerError, type ContainerErrorKind } from '../container/errors.js'
import { LogError, type LogErrorKind } from '../logs/index.js'
import { patterns } from './schemas.js'

export const httpStatus: Record<ContainerErrorKind, number> = {
  invalid_request: 400,
  invalid_name: 400,
  name_empty: 400,
  same_name: 400,
  not_found: 404,
  ambiguous_ref: 409,
  name_conflict: 409,
  rename_not_supported: 409,
  invalid_state: 409,
  container_running: 409,
  conflict: 409,
  vsphere_unavailable: 503,
}

export const logErrorStatus: Record<LogErrorKind, number> = {
  unknown_log_format: 400,
  invalid_log_option: 400,
}

/** How long a client should wait before retrying when vSphere is unreachable. */
export const retryAfterSeconds = 5

export interface HttpError {
  status: number
  code: string
  message: string
  headers?: Record<string, string>
}

export function vsphereUnavailable(message: string): HttpError {
  return { status: 503, code: 'vsphere_unavailable', message, headers: { 'retry-after': String(retryAfterSeconds) } }
}

export function internalError(opId: string): HttpError {
  const message = `internal error; the service log has the details under opId ${opId}`
  return { status: 500, code: 'internal', message }
}

/** Fastify's own request errors, by fastify's error code. */
const fastifyErrors: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'unsupported Content-Type: send the body as application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_request',
    message: 'the request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'invalid_request',
    message: 'the request body is empty but Content-Type is application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_request',
    message: 'Content-Length does not match the body',
  },
  FST_ERR_BAD_URL: { status: 400, code: 'invalid_request', message: 'the URL is malformed' },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'invalid_request',
    message: 'a path segment of the URL is too long: a container or network reference has at most 255 characters',
  },
}

/**
 * The status and body for an error a handler or fastify raised; `opId` names the request in the generic message of
 * unexpected errors. `query` is the request's query, used to tell an empty rename name from a bad one.
 */
export function toHttpError(err: unknown, opId: string, bodyLimit: number, query?: unknown): HttpError {
  if (ContainerError.is(err)) {
    if (err.kind === 'vsphere_unavailable') return vsphereUnavailable(err.message)
    return { status: httpStatus[err.kind], code: err.kind, message: err.message }
  }
  if (LogError.is(err)) return { status: logErrorStatus[err.kind], code: err.kind, message: err.message }
  const fastifyError = err as Partial<FastifyError>
  if (Array.isArray(fastifyError.validation)) {
    return validationError(
      fastifyError.validation as unknown as ValidationIssue[],
      fastifyError.validationContext ?? 'body',
      query,
    )
  }
  const known = fastifyError.code === undefined ? undefined : fastifyErrors[fastifyError.code]
  if (known) {
    const message =
      known.message ??
      (known.code === 'payload_too_large' ? `the request body is larger than ${bodyLimit} bytes` : undefined) ??
      'bad request'
    return { status: known.status, code: known.code, message }
  }
  // secure-json-parse refuses prototype-poisoning keys (`__proto__`, `constructor.prototype`) with a SyntaxError
  // that fastify passes on with status 400.
  if (err instanceof SyntaxError && fastifyError.statusCode === 400) {
    return { status: 400, code: 'invalid_request', message: `the request body is not acceptable JSON: ${err.message}` }
  }
  const status = fastifyError.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500 && fastifyError.code?.startsWith('FST_')) {
    return { status, code: 'invalid_request', message: fastifyError.message ?? 'bad request' }
  }
  return internalError(opId)
}

/** One schema validation issue, as typebox (and ajv) report it. */
export interface ValidationIssue {
  keyword: string
  instancePath: string
  schemaPath: string
  params: Record<string, unknown>
  message?: string
}

const where: Record<string, string> = {
  body: 'body field',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
}

/** Readable words for the patterns a person is most likely to trip over. */
const patternHints: Record<string, string> = {
  [patterns.name]: "must be at least 2 characters: a letter or digit, then letters, digits, '_', '.' or '-'",
  [patterns.id]: 'must be 64 lowercase hexadecimal characters',
  [patterns.image]: "must be an image reference: letters, digits and '.', '_', ':', '/', '@', '-'",
  [patterns.networkName]: "must be a letter or digit, then letters, digits, '_', '.' or '-'",
  [patterns.link]: "must be `name:alias` (a container name, ':', then letters, digits, '_', '.' or '-')",
  [patterns.annotationValue]: "must not contain control characters or '<', '>', '&'",
  [patterns.hostname]: "must be a host name label: up to 63 letters, digits or '-', not starting or ending with '-'",
  [patterns.address]: 'must be host:port: a host name, an IPv4 address or [IPv6], then a port',
  [patterns.opId]: `must be 1 to 128 characters: a letter or digit, then letters, digits, '.', '_', ':' or '-'`,
}

function fieldName(context: string, instancePath: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (context === 'headers' && segments[0] === 'op-id') return 'Op-ID'
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('')
}

function describe(issue: ValidationIssue): string {
  const pattern = issue.params.pattern
  if (issue.keyword === 'pattern' && typeof pattern === 'string' && patternHints[pattern]) {
    return patternHints[pattern]
  }
  return issue.message ?? 'is not valid'
}

/**
 * A schema failure as `{code, message}`. The message names the field and the rule it broke; a bad container name
 * gets `invalid_name` (or `name_empty` for an empty rename target), everything else `invalid_request`.
 */
export function validationError(issues: ValidationIssue[], context: string, query?: unknown): HttpError {
  const place = where[context] ?? context
  const unknown = issues.find((i) => i.keyword === 'additionalProperties')
  if (unknown) {
    const names = (unknown.params.additionalProperties as string[] | undefined) ?? []
    const parent = fieldName(context, unknown.instancePath)
    const list = names.map((n) => `'${parent ? `${parent}.` : ''}${n}'`).join(', ')
    return { status: 400, code: 'invalid_request', message: `unknown ${place} ${list}: remove it` }
  }
  const required = issues.find((i) => i.keyword === 'required')
  if (required) {
    const names = (required.params.requiredProperties as string[] | undefined) ?? []
    const code = context === 'querystring' && names.includes('name') ? 'name_empty' : 'invalid_request'
    return { status: 400, code, message: `missing ${place} '${names.join("', '")}'` }
  }
  const issue = issues.find((i) => i.keyword !== 'boolean' && i.keyword !== 'propertyNames') ?? issues[0]
  if (!issue) return { status: 400, code: 'invalid_request', message: `invalid ${place.split(' ')[0]}` }
  if (issue.instancePath === '' && issue.keyword === 'type') {
    return { status: 400, code: 'invalid_request', message: `the ${context} ${issue.message ?? 'has the wrong type'}` }
  }
  const field = fieldName(context, issue.instancePath)
  if (issue.schemaPath.endsWith('/propertyNames')) {
    const slash = issue.instancePath.lastIndexOf('/')
    const map = fieldName(context, issue.instancePath.slice(0, slash))
    const key = field.slice(map.length + 1)
    const message = `${place} '${map}' has an invalid key '${key}': ${describe(issue)}`
    return { status: 400, code: 'invalid_request', message }
  }
  let code = 'invalid_request'
  if (field === 'name' && (context === 'body' || context === 'querystring')) {
    const empty = context === 'querystring' && (query as { name?: unknown } | undefined)?.name === ''
    if (empty) return { status: 400, code: 'name_empty', message: `${place} 'name' is empty: give the new name` }
    code = 'invalid_name'
  }
  return { status: 400, code, message: `${place} '${field}' ${describe(issue)}` }
}
