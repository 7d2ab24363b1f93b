/**
 * The logs route (`GET /v1/containers/{ref}/logs`): the query is split into what every format understands (time
 * window, tail, follow, streams, format) and the chosen format's own options, handed to the service, and the
 * stream it returns is piped to the client. A client that leaves ends the read, and with it every request to the
 * datastore; a follow sends its headers at once so the client knows it is streaming before any output comes.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ContainerService, LogsRequest } from '../../container/types.js'
import { opContext } from '../op-id.js'
import { operation } from '../operation.js'
import { LogsQuery, RefParams } from '../schemas.js'

export function logRoutes(service: ContainerService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/containers/:ref/logs',
      {
        schema: operation(
          {
            operationId: 'containerLogs',
            tags: ['containers'],
            summary: "A container's output, as raw bytes or docker json-file lines; optionally followed",
            description:
              "Reads the container's `output.log` from its datastore folder; `tail` reads only the end of the file. " +
              'Query parameters other than the documented ones are options of the chosen format. 400 codes: ' +
              '`unknown_log_format`, `invalid_log_option` (an unknown or malformed option, or one the log cannot ' +
              'honour: a data-version-0 container wrote no times or streams), `invalid_request`.',
          },
          {
            params: RefParams,
            querystring: LogsQuery,
            response: {
              200: {
                description: 'the output, until it ends or (with follow) until the client leaves or the container stops',
                content: {
                  'application/octet-stream': { schema: Type.String({ format: 'binary', description: 'format raw' }) },
                  'application/x-ndjson': {
                    schema: Type.Unsafe({ $ref: 'JsonFileLogLine#', description: 'format json-file: one per line' }),
                  },
                },
              },
            },
          },
          [404, 409],
        ),
      },
      async (request, reply) => {
        const { since, until, tail, follow, stdout, stderr, format, ...options } = request.query
        const logsRequest: LogsRequest = {
          ...(since !== undefined ? { since } : {}),
          ...(until !== undefined ? { until } : {}),
          ...(tail !== undefined ? { tail } : {}),
          ...(follow !== undefined ? { follow } : {}),
          ...(stdout !== undefined ? { stdout } : {}),
          ...(stderr !== undefined ? { stderr } : {}),
          ...(format !== undefined ? { format } : {}),
          options: Object.fromEntries(
            Object.entries(options as Record<string, unknown>)
              .filter(([, value]) => value !== undefined)
              .map(([key, value]) => [key, String(value)]),
          ),
        }
        // the client may leave while the log is being located: that cancels the requests made so far
        const left = new AbortController()
        reply.raw.once('close', () => left.abort())
        const logs = await service
          .logs(request.params.ref, logsRequest, { ...opContext(request), signal: left.signal })
          .catch((err: unknown) => {
            if (left.signal.aborted) return undefined
            throw err
          })
        if (!logs || left.signal.aborted) {
          logs?.stream.destroy()
          return reply.hijack()
        }
        left.signal.addEventListener('abort', () => logs.stream.destroy(), { once: true })
        if (follow) reply.raw.once('pipe', () => reply.raw.flushHeaders())
        reply.code(200).header('content-type', logs.contentType).header('cache-control', 'no-store')
        // the typed reply expects one schema value; a stream is sent untyped
        return reply.send(logs.stream as never)
      },
    )
  }
}
