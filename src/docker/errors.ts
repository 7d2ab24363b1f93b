/**
 * Errors of the Docker API front in docker's shape: a status and `{"message": "…"}`, with the texts docker's daemon
 * uses where clients act on them (`No such container: x`, `No such image: x`, the name conflict). The one table
 * from container error kinds to docker's statuses is here; each route words the message for its own context.
 */
import type { FastifyError } from 'fastify'
import { ContainerError, type ContainerErrorKind } from '../container/errors.js'
import { LogError } from '../logs/index.js'

export class DockerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'DockerError'
  }
}

export const badRequest = (message: string) => new DockerError(400, message)
export const noSuchContainer = (ref: string) => new DockerError(404, `No such container: ${ref}`)

/** A field of a request that portlayer cannot honour: refused, never dropped. */
export const cannotHonour = (field: string, value: unknown) =>
  new DockerError(400, `portlayer cannot honour ${field} (${JSON.stringify(value)}): leave it out or at its default`)

export const dockerStatus: Record<ContainerErrorKind, number> = {
  invalid_request: 400,
  invalid_name: 400,
  name_empty: 400,
  same_name: 400,
  not_found: 404,
  ambiguous_ref: 400,
  name_conflict: 409,
  rename_not_supported: 409,
  invalid_state: 409,
  container_running: 409,
  conflict: 409,
  vsphere_unavailable: 503,
}

export interface DockerReply {
  status: number
  message: string
}

/** Fastify's own request errors, in docker's words. */
const fastifyErrors: Record<string, DockerReply> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: 'invalid JSON in the request body' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 400, message: 'unsupported Content-Type: send JSON as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: 'Content-Length does not match the body' },
  FST_ERR_BAD_URL: { status: 400, message: 'the URL is malformed' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 400, message: 'a path segment of the URL is too long' },
}

/** The status and message for anything a route or fastify threw; `opId` names the request for an unexpected one. */
export function toDockerReply(err: unknown, opId: string, bodyLimit: number): DockerReply {
  if (err instanceof DockerError) return { status: err.status, message: err.message }
  if (ContainerError.is(err)) return { status: dockerStatus[err.kind], message: err.message }
  if (LogError.is(err)) return { status: 400, message: err.message }
  const fe = err as Partial<FastifyError>
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, message: `the request body is larger than ${bodyLimit} bytes` }
  const known = fe.code === undefined ? undefined : fastifyErrors[fe.code]
  if (known) return known
  if (Array.isArray(fe.validation)) return { status: 400, message: fe.message ?? 'invalid request' }
  if (err instanceof SyntaxError && fe.statusCode === 400)
    return { status: 400, message: `invalid JSON in the request body: ${err.message}` }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
    return { status: fe.statusCode, message: fe.message ?? 'bad request' }
  return { status: 500, message: `internal error; the portlayer log has the details under opId ${opId}` }
}
