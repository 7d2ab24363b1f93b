/**
 * The Docker Engine API front: a fastify app that the docker CLI and docker-compose talk to (`DOCKER_HOST=tcp://…`).
 * It holds no business rule: each route turns docker's request into calls of the container service (and its
 * Docker backend: networks, connect, images) and the answers into docker's shapes. API 1.41, clients down to 1.24:
 * a `/v1.NN` prefix is split off before routing and checked; unversioned paths speak the latest. Every error is
 * docker's `{"message"}` with docker's status; an unknown route is docker's 404 `page not found`.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { createHash } from 'node:crypto'
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify'
import type { Logger } from 'pino'
import { tokenMatches } from '../api/auth.js'
import { requestOpId } from '../api/op-id.js'
import type { DockerService } from '../container/types.js'
import { serviceVersion } from '../version.js'
import { apiVersion, splitVersion, versionProblem } from './api-version.js'
import { toDockerReply } from './errors.js'
import { forward, isWrite } from './forward.js'
import { containerRoutes } from './routes/containers.js'
import { eventRoutes } from './routes/events.js'
import { imageRoutes } from './routes/images.js'
import { logRoutes } from './routes/logs.js'
import { networkRoutes } from './routes/networks.js'
import { systemRoutes } from './routes/system.js'

export const defaultDockerBodyLimit = 1024 * 1024
/** `docker load` sends a whole image archive */
export const defaultImageLoadLimit = 512 * 1024 * 1024

export interface DockerAppOptions {
  service: DockerService
  logger: Logger
  /** when set, every route but `/_ping` needs `Authorization: Bearer <token>` (docker's config.json HttpHeaders) */
  token?: string
  bodyLimit?: number
  imageLoadLimit?: number
  /** the writer's Docker API address while this process is a standby: writes are passed on to it (forward.ts) */
  writer?: () => string | undefined
}

export type DockerApp = FastifyInstance

declare module 'fastify' {
  interface FastifyRequest {
    /** the API version of the request's `/v1.NN` prefix, when it had one */
    dockerApiVersion?: string
  }
}

const versionOf = new WeakMap<IncomingMessage, string>()

export function buildDockerApp(options: DockerAppOptions): DockerApp {
  const bodyLimit = options.bodyLimit ?? defaultDockerBodyLimit
  if (options.token === '') throw new Error('the bearer token is empty; leave it unset to serve without one')
  const app = Fastify({
    loggerInstance: options.logger.child({ face: 'docker' }),
    bodyLimit,
    genReqId: (req) => (req.headers['op-id'] === undefined ? randomUUID() : requestOpId(req)),
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'opId' }),
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 512, ignoreDuplicateSlashes: true },
    return503OnClosing: false,
    rewriteUrl: (req) => {
      const { version, url } = splitVersion(req.url ?? '/')
      if (version !== undefined) versionOf.set(req, version)
      return url
    },
    frameworkErrors: (err, request, reply) => {
      const { status, message } = toDockerReply(err, request.id, bodyLimit)
      ;(reply as FastifyReply).code(status).send({ message })
    },
  })

  // JSON bodies: an empty one is no body (clients send `Content-Type: application/json` with nothing after it);
  // keys that would reach an object's prototype are refused.
  app.removeContentTypeParser('application/json')
  app.removeContentTypeParser('text/plain')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const body = String(text)
    if (body.trim() === '') return done(null, undefined)
    try {
      done(
        null,
        JSON.parse(body, (key, value: unknown) => {
          if (key === '__proto__' || key === 'constructor') throw new SyntaxError(`the key ${key} is not allowed`)
          return value
        }),
      )
    } catch (err) {
      const error = err as Error & { statusCode?: number }
      error.statusCode = 400
      done(error, undefined)
    }
  })
  // image archives, and anything else, arrive as bytes; a route that wants JSON says so when it gets bytes
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))

  app.decorateRequest('dockerApiVersion', undefined)
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (request, reply) => {
    reply.header('api-version', apiVersion).header('server', `portlayer/${serviceVersion} (vsphere)`).header('ostype', 'linux')
    reply.header('docker-experimental', 'false')
    const version = versionOf.get(request.raw)
    if (version !== undefined) {
      request.dockerApiVersion = version
      const problem = versionProblem(version)
      if (problem) return reply.code(400).send({ message: problem })
    }
    if (closing) return reply.code(503).header('connection', 'close').send({ message: 'portlayer is shutting down' })
  })
  // docker's clients read an error body only when its Content-Type is exactly application/json
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type')
    if (typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', 'application/json')
    return payload
  })
  if (options.token !== undefined) {
    const expected = createHash('sha256').update(options.token, 'utf8').digest()
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.split('?')[0] === '/_ping') return
      if (tokenMatches(expected, request.headers.authorization)) return
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="portlayer"')
        .send({ message: 'missing or wrong bearer token: set HttpHeaders {"Authorization": "Bearer <token>"} in the docker config' })
    })
  }

  if (options.writer) {
    const writer = options.writer
    app.addHook('onRequest', async (request, reply) => {
      const address = isWrite(request.method) ? writer() : undefined
      if (!address) return
      const version = versionOf.get(request.raw)
      forward(address, version === undefined ? request.url : `/v${version}${request.url}`, request, reply)
      return reply
    })
  }

  app.setErrorHandler(async (err, request, reply) => {
    const { status, message } = toDockerReply(err, request.id, bodyLimit)
    if (status >= 500) request.log.error({ err }, 'docker request failed')
    else request.log.info({ status, reason: message }, 'docker request refused')
    return reply.code(status).send({ message })
  })
  app.setNotFoundHandler(async (request, reply) => {
    request.log.info({ method: request.method, url: request.url.slice(0, 200) }, 'docker route not found')
    return reply.code(404).send({ message: 'page not found' })
  })

  const deps = {
    service: options.service,
    imageLoadLimit: options.imageLoadLimit ?? defaultImageLoadLimit,
  }
  app.register(systemRoutes(deps))
  app.register(containerRoutes(deps))
  app.register(logRoutes(deps))
  app.register(networkRoutes(deps))
  app.register(eventRoutes(deps))
  app.register(imageRoutes(deps))
  return app as unknown as DockerApp
}

export interface DockerRouteDeps {
  readonly service: DockerService
  readonly imageLoadLimit: number
}
