/**
 * The `Op-ID` request header: the caller's operation ID, which becomes `OpContext.opId` (sent to vSphere as
 * `operationID`) and the `opId` of every log line of the request. A missing header gets a fresh ID; a malformed one
 * is refused by the route schemas (`OpIdHeaders`), so a client never sees its ID silently replaced.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyRequest } from 'fastify'
import type { OpContext } from '../container/types.js'
import { patterns } from './schemas.js'

export const opIdHeader = 'op-id'
const valid = new RegExp(patterns.opId)

/** fastify's `genReqId`: the request's own Op-ID when it is well-formed, else a new one. */
export function requestOpId(req: IncomingMessage): string {
  const header = req.headers[opIdHeader]
  return typeof header === 'string' && valid.test(header) ? header : randomUUID()
}

export function opContext(request: FastifyRequest): OpContext {
  return { opId: request.id }
}
