/**
 * The attach routes (`POST` and `DELETE /v1/containers/{ref}/attach`): connect the container's network serial
 * port to a listener's address, or disconnect it. The service owns the device change; the route only validates.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ContainerService } from '../../container/types.js'
import { opContext } from '../op-id.js'
import { operation } from '../operation.js'
import { AttachRequestSchema, RefParams } from '../schemas.js'

const tags = ['containers']
const noContent = Type.Null({ description: 'done' })

export function attachRoutes(service: ContainerService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/containers/:ref/attach',
      {
        schema: operation(
          {
            operationId: 'attachContainer',
            tags,
            summary: "Connect the container's network serial port to host:port",
            description:
              'Adds a network-backed serial port (URI backing, direction client) or reuses the one there is, points ' +
              'it at the address and connects it: at once on a running container, at its next start on a stopped ' +
              'one. A running container without such a port gets 409 `invalid_state` (vSphere cannot add one).',
          },
          { params: RefParams, body: AttachRequestSchema, response: { 204: noContent } },
          [404, 409, 413, 415],
        ),
      },
      async (request, reply) => {
        await service.attach(request.params.ref, request.body, opContext(request))
        return reply.code(204).send(null)
      },
    )

    app.delete(
      '/containers/:ref/attach',
      {
        schema: operation(
          {
            operationId: 'detachContainer',
            tags,
            summary: "Disconnect the container's network serial port",
            description: 'Also keeps it from connecting at the next start. Nothing to do is not an error.',
          },
          { params: RefParams, response: { 204: noContent } },
          [404, 409],
        ),
      },
      async (request, reply) => {
        await service.detach(request.params.ref, opContext(request))
        return reply.code(204).send(null)
      },
    )
  }
}
