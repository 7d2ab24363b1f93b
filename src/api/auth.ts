/**
 * The optional bearer-token guard. Tokens are compared through their SHA-256 digests with `timingSafeEqual`, so the
 * comparison takes the same time whatever the token's length or how much of it matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()

export function tokenMatches(expected: Buffer, authorization: string | undefined): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '')
  // Always compare, even when the header is missing, so a missing token costs the same as a wrong one.
  const given = digest(match?.[1] ?? '')
  return timingSafeEqual(expected, given) && match !== null
}

/**
 * Whether the route declares itself public (`security: []`, as its OpenAPI operation says too): only `/healthz`,
 * which a supervisor must reach without the token.
 */
function isPublic(request: FastifyRequest): boolean {
  const security = (request.routeOptions.schema as { security?: unknown } | undefined)?.security
  return Array.isArray(security) && security.length === 0
}

/** An onRequest hook answering 401 `unauthorized` unless the request carries the token. */
export function bearerGuard(token: string) {
  const expected = digest(token)
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (isPublic(request)) return
    if (tokenMatches(expected, request.headers.authorization)) return
    request.log.info('refused: missing or wrong bearer token')
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="portlayer"')
      .send({ code: 'unauthorized', message: 'missing or wrong bearer token: send Authorization: Bearer <token>' })
  }
}
