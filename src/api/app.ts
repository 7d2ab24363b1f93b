/**
 * The REST app: fastify with typebox schemas, every route of DESIGN's REST contract under `/v1`, the health routes,
 * the OpenAPI document, the `Op-ID` header, the optional bearer token and the one error table. It holds no business
 * rule: each route calls one operation of the injected ContainerService.
 */
import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify'
import type { Logger } from 'pino'
import { Type } from 'typebox'
import type { ContainerService } from '../container/types.js'
import { serviceVersion } from '../version.js'
import { bearerGuard } from './auth.js'
import { retryAfterSeconds, toHttpError } from './errors.js'
import { opIdHeader, requestOpId } from './op-id.js'
import { operation } from './operation.js'
import { attachRoutes } from './routes/attach.js'
import { containerRoutes } from './routes/containers.js'
import { eventRoutes } from './routes/events.js'
import { healthRoutes } from './routes/health.js'
import { logRoutes } from './routes/logs.js'
import { networkRoutes } from './routes/networks.js'
import { sharedSchemas } from './schemas.js'
import { validatorCompiler } from './validation.js'

export const defaultBodyLimit = 1024 * 1024

export interface AppOptions {
  service: ContainerService
  logger: Logger
  /** when set, every route but `/healthz` needs `Authorization: Bearer <token>` */
  token?: string
  /** largest request body in bytes (default 1 MiB) */
  bodyLimit?: number
}

export type App = FastifyInstance

const openapiInfo = {
  title: 'portlayer',
  version: serviceVersion,
  description:
    'Container VMs on vSphere. Every error is `{code, message}` with a stable snake_case code. Any request may ' +
    'carry an `Op-ID` header; it is echoed in the response, sent to vSphere as operationID and logged as opId.',
}

export function buildApp(options: AppOptions): App {
  const bodyLimit = options.bodyLimit ?? defaultBodyLimit
  if (options.token === '') throw new Error('the bearer token is empty; leave it unset to serve without one')

  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit,
    genReqId: requestOpId,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'opId' }),
    exposeHeadRoutes: false,
    // A container name may be 255 characters; the router's default cap on a path parameter is 100.
    routerOptions: { maxParamLength: 512 },
    // While closing, requests get the API's own 503 (below) rather than fastify's differently shaped one.
    return503OnClosing: false,
    // A malformed URL or an over-long path parameter is refused by the router before any hook or error handler
    // runs; without this it would answer fastify's own `{error, code: 'FST_…'}` body instead of the API's.
    frameworkErrors: (err, request, reply) => {
      const http = toHttpError(err, request.id, bodyLimit)
      request.log.info({ code: http.code, reason: http.message }, 'request refused')
      ;(reply as FastifyReply).code(http.status).header(opIdHeader, request.id).send({ code: http.code, message: http.message })
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setValidatorCompiler(validatorCompiler)
  // Bodies are JSON only; fastify's default text/plain parser would let a string reach the body schema.
  app.removeContentTypeParser('text/plain')
  for (const schema of sharedSchemas) app.addSchema(schema)

  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (request, reply) => {
    reply.header(opIdHeader, request.id)
    if (closing) {
      return reply
        .code(503)
        .header('connection', 'close')
        .header('retry-after', String(retryAfterSeconds))
        .send({ code: 'shutting_down', message: 'this instance is shutting down; retry on another one' })
    }
  })
  if (options.token !== undefined) app.addHook('onRequest', bearerGuard(options.token))

  app.setErrorHandler(async (err, request, reply) => {
    const http = toHttpError(err, request.id, bodyLimit, request.query)
    if (http.status === 500) {
      request.log.error({ err, code: http.code }, 'request failed')
    } else if (http.status >= 500) {
      request.log.warn({ code: http.code, reason: http.message }, 'request failed')
    } else {
      request.log.info({ code: http.code, reason: http.message }, 'request refused')
    }
    return reply
      .code(http.status)
      .headers(http.headers ?? {})
      .send({ code: http.code, message: http.message })
  })

  app.setNotFoundHandler(async (request, reply) => {
    const path = (request.url.split('?')[0] ?? '').slice(0, 200)
    return reply.code(404).send({ code: 'route_not_found', message: `no route ${request.method} ${path}` })
  })

  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: openapiInfo,
      tags: [
        { name: 'containers', description: 'container VMs' },
        { name: 'networks', description: 'name resolution on a network' },
        { name: 'events', description: 'container events' },
        { name: 'health', description: 'liveness, readiness and this document' },
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'required only when the service runs with a token (--token-file / PORTLAYER_TOKEN)',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    // Shared schemas keep their names (Error, Container, …) as component names.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  })

  app.register(healthRoutes(options.service))
  app.register(
    async (docs) => {
      docs.get(
        '/openapi.json',
        {
          schema: operation(
            { operationId: 'openapi', tags: ['health'], summary: 'This OpenAPI document' },
            { response: { 200: Type.Unknown({ description: 'OpenAPI 3.1 document' }) } },
          ),
        },
        async () => app.swagger(),
      )
    },
  )
  app.register(containerRoutes(options.service), { prefix: '/v1' })
  app.register(logRoutes(options.service), { prefix: '/v1' })
  app.register(attachRoutes(options.service), { prefix: '/v1' })
  app.register(networkRoutes(options.service), { prefix: '/v1' })
  app.register(eventRoutes(options.service), { prefix: '/v1' })

  return app as unknown as App
}
