/**
 * The event stream (`/v1/events`): container events as NDJSON, one JSON object per line, for as long as the client
 * stays. Each client gets its own subscription, dropped when the client leaves, when it reads too slowly to keep up
 * (its unread backlog passes `maxBacklogBytes`), or when the app closes.
 */
import { PassThrough } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ContainerEvent, ContainerService } from '../../container/types.js'
import { operation } from '../operation.js'

export const maxBacklogBytes = 1024 * 1024

export function eventRoutes(service: ContainerService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const open = new Set<() => void>()
    // Streams never end on their own; closing the app must end them or it would wait for every client to leave.
    app.addHook('preClose', async () => {
      for (const finish of [...open]) finish()
    })

    app.get(
      '/events',
      {
        schema: operation(
          {
            operationId: 'streamEvents',
            tags: ['events'],
            summary: 'Container events (create, rename, start, stop, remove) as an NDJSON stream',
          },
          {
            response: {
              200: {
                description: 'one ContainerEvent per line, until the client disconnects',
                content: {
                  'application/x-ndjson': { schema: Type.Unsafe<ContainerEvent>({ $ref: 'ContainerEvent#' }) },
                },
              },
            },
          },
        ),
      },
      async (request, reply) => {
        const stream = new PassThrough()
        let finished = false
        const finish = () => {
          if (finished) return
          finished = true
          unsubscribe()
          open.delete(finish)
          stream.end()
          request.log.debug('event stream closed')
        }
        const unsubscribe = service.onEvent((event) => {
          if (finished) return
          if (stream.writableLength > maxBacklogBytes) {
            request.log.warn({ backlog: stream.writableLength }, 'event client too slow, dropping it')
            finish()
            return
          }
          stream.write(`${JSON.stringify(event)}\n`)
        })
        open.add(finish)
        reply.raw.once('close', finish)
        // Send the headers now, so a client knows it is subscribed before the first event arrives.
        reply.raw.once('pipe', () => reply.raw.flushHeaders())
        reply.code(200).header('content-type', 'application/x-ndjson').header('cache-control', 'no-store')
        // The typed reply expects one event; the stream carries many, so it is sent untyped.
        return reply.send(stream as never)
      },
    )
  }
}
