/**
 * Container routes of the Docker API front: create, list (docker's filters), inspect, start, stop, restart, kill,
 * wait, remove, rename; attach and exec answer 501. Each turns docker's request into service calls and the answer
 * or error into docker's shapes and words (`No such container: x`, the name conflict text clients act on).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { ContainerError } from '../../container/errors.js'
import { dockerAnnotations, dockerConfigOf } from '../../container/docker-config.js'
import type { ContainerView, CreateRequest, DockerService, NetworkDefinition, OpContext } from '../../container/types.js'
import type { DockerRouteDeps } from '../app.js'
import { inspectJson, listJson, splitLink } from '../container-json.js'
import { parseCreateBody } from '../create-body.js'
import { badRequest, cannotHonour, DockerError, noSuchContainer } from '../errors.js'
import { containerFilterNames, containerMatcher, parseFilters } from '../filters.js'
import { boolParam, containerRef, intParam, stringParam, type Query } from '../query.js'

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/
const invalidName = (name: string) =>
  badRequest(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`)

type Req = FastifyRequest<{ Params: { id: string }; Querystring: Query }>

const op = (request: FastifyRequest): OpContext => ({ opId: request.id })

/** A service error about container `ref`, in docker's words. */
export function aboutContainer(err: unknown, ref: string): unknown {
  if (ContainerError.is(err, 'not_found')) return noSuchContainer(ref)
  return err
}

/** The holder of `name`, for docker's conflict text. */
async function conflict(service: DockerService, name: string, o: OpContext): Promise<DockerError> {
  const holder = await service.inspect(name, o).then((v) => v.id, () => '')
  return new DockerError(
    409,
    `Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
  )
}

/** The network a NetworkMode or endpoint names: docker's `default` is `bridge`. */
function findNetwork(networks: readonly NetworkDefinition[], ref: string): NetworkDefinition {
  const wanted = ref === 'default' || ref === '' ? 'bridge' : ref
  const found =
    networks.find((n) => n.name === wanted || n.id === wanted) ??
    (/^[0-9a-f]{6,}$/.test(wanted) ? networks.find((n) => n.id.startsWith(wanted)) : undefined)
  if (!found) throw new DockerError(404, `network ${ref} not found`)
  return found
}

export function containerRoutes({ service }: DockerRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.post('/containers/create', async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      const o = op(request)
      const given = stringParam(request.query, 'name')
      const name = given === undefined || given === '' ? undefined : given.replace(/^\//, '')
      if (name !== undefined && (!namePattern.test(name) || name.length > 255)) throw invalidName(given ?? '')
      if (Buffer.isBuffer(request.body))
        throw badRequest(`Content-Type specified (${request.headers['content-type'] ?? ''}) must be 'application/json'`)
      const parsed = parseCreateBody(request.body)
      const image = await service.image(parsed.image, o)
      const networks = await service.networks(o)

      const mode = parsed.networkMode
      if (mode === 'host' || mode.startsWith('container:')) throw cannotHonour('HostConfig.NetworkMode', mode)
      let network: string | undefined
      if (mode !== 'none') {
        const named = parsed.endpoint && (mode === '' || mode === 'default') ? parsed.endpoint.network : mode
        network = findNetwork(networks, named).name
        if (network === 'host' || network === 'none') throw cannotHonour('HostConfig.NetworkMode', mode)
        if (parsed.endpoint && findNetwork(networks, parsed.endpoint.network).name !== network)
          throw badRequest(`NetworkingConfig names network ${parsed.endpoint.network}, HostConfig.NetworkMode ${mode}`)
      } else if (parsed.endpoint) {
        throw badRequest('a container with NetworkMode none cannot have an endpoint in NetworkingConfig')
      }
      for (const link of parsed.links) {
        const target = splitLink(link).name
        await service.inspect(target, o).catch((err: unknown) => {
          throw ContainerError.is(err, 'not_found')
            ? new DockerError(404, `could not get container for ${target}: No such container: ${target}`)
            : err
        })
      }
      const endpointLinks = (parsed.endpoint?.links ?? []).filter((l) => !parsed.links.includes(l))
      const req: CreateRequest = {
        ...(name !== undefined ? { name } : {}),
        image: parsed.image,
        networks: network === undefined ? {} : { [network]: { aliases: parsed.endpoint?.aliases ?? [] } },
        links: parsed.links,
        annotations: dockerAnnotations({ ...parsed.config, ImageID: image.id, NetworkMode: mode === '' ? 'default' : mode }),
        ...(parsed.hostname !== undefined ? { hostname: parsed.hostname } : {}),
        ...(parsed.config.Memory !== undefined ? { memoryMB: parsed.config.Memory / (1024 * 1024) } : {}),
        ...(parsed.config.NanoCpus !== undefined ? { cpus: parsed.config.NanoCpus / 1e9 } : {}),
      }
      let view: ContainerView
      try {
        view = await service.create(req, o)
      } catch (err) {
        if (ContainerError.is(err, 'name_conflict') && name !== undefined) throw await conflict(service, name, o)
        if (ContainerError.is(err, 'invalid_name')) throw invalidName(given ?? '')
        throw err
      }
      // links on the endpoint only (not in HostConfig.Links) are the endpoint's own: added to it alone
      if (network !== undefined && endpointLinks.length > 0) await service.connect(view.id, network, { links: endpointLinks }, o)
      return reply.code(201).send({ Id: view.id, Warnings: [] })
    })

    app.get('/containers/json', async (request: FastifyRequest<{ Querystring: Query }>) => {
      const o = op(request)
      const filters = parseFilters(stringParam(request.query, 'filters'), containerFilterNames)
      const limit = intParam(request.query, 'limit')
      const all = boolParam(request.query, 'all') || filters.has('status') || (limit !== undefined && limit > 0)
      const networks = await service.networks(o)
      const matches = containerMatcher(filters, networks)
      const views = (await service.list(all, o)).filter(matches)
      const limited = limit !== undefined && limit > 0 ? views.slice(0, limit) : views
      return limited.map((v) => listJson(v, networks))
    })

    app.get('/containers/:id/json', async (request: Req) => {
      const o = op(request)
      const ref = containerRef(request.params.id)
      const view = await service.inspect(ref, o).catch((err: unknown) => {
        throw aboutContainer(err, ref)
      })
      return inspectJson(view, await service.networks(o))
    })

    const act = (what: (ref: string, request: Req, reply: FastifyReply) => Promise<unknown>) =>
      async (request: Req, reply: FastifyReply) => {
        const ref = containerRef(request.params.id)
        try {
          return await what(ref, request, reply)
        } catch (err) {
          throw aboutContainer(err, ref)
        }
      }

    app.post('/containers/:id/start', act(async (ref, request, reply) => {
      const o = op(request)
      if (stringParam(request.query, 'detachKeys')) throw cannotHonour('detachKeys', stringParam(request.query, 'detachKeys'))
      if (Buffer.isBuffer(request.body) ? request.body.length > 0 : request.body !== undefined && request.body !== null && Object.keys(request.body as object).length > 0)
        throw cannotHonour('the start body (HostConfig at start, removed in API 1.24)', request.body)
      const view = await service.inspect(ref, o)
      if (view.state === 'running') return reply.code(304).send()
      await service.start(view.id, o).catch((err: unknown) => {
        if (ContainerError.is(err, 'invalid_state')) return
        throw err
      })
      return reply.code(204).send()
    }))

    const stop = async (id: string, request: Req, o: OpContext): Promise<boolean> => {
      const t = intParam(request.query, 't', -1)
      const view = await service.inspect(id, o)
      if (view.state !== 'running') return false
      const timeout = t === undefined ? (dockerStopTimeout(view) ?? undefined) : t < 0 ? undefined : t
      await service.stop(view.id, timeout === undefined ? {} : { timeout }, o).catch((err: unknown) => {
        if (ContainerError.is(err, 'invalid_state')) return
        throw err
      })
      return true
    }

    app.post('/containers/:id/stop', act(async (ref, request, reply) => {
      if (stringParam(request.query, 'signal')) throw cannotHonour('signal', stringParam(request.query, 'signal'))
      return (await stop(ref, request, op(request))) ? reply.code(204).send() : reply.code(304).send()
    }))

    app.post('/containers/:id/restart', act(async (ref, request, reply) => {
      if (stringParam(request.query, 'signal')) throw cannotHonour('signal', stringParam(request.query, 'signal'))
      const o = op(request)
      await stop(ref, request, o)
      await service.start(ref, o)
      return reply.code(204).send()
    }))

    app.post('/containers/:id/kill', act(async (ref, request, reply) => {
      const o = op(request)
      const signal = (stringParam(request.query, 'signal') ?? '').toUpperCase()
      if (!['', 'KILL', 'SIGKILL', '9'].includes(signal)) throw cannotHonour('signal', stringParam(request.query, 'signal'))
      const view = await service.inspect(ref, o)
      if (view.state !== 'running')
        throw new DockerError(409, `Cannot kill container: ${ref}: Container ${view.id} is not running`)
      await service.stop(view.id, { timeout: 0 }, o)
      return reply.code(204).send()
    }))

    app.post('/containers/:id/wait', act(async (ref, request, reply) => {
      const o = op(request)
      const condition = stringParam(request.query, 'condition') ?? 'not-running'
      if (!['not-running', 'next-exit', 'removed'].includes(condition))
        throw badRequest(`invalid condition: "${condition}"`)
      const first = await service.inspect(ref, o)
      reply.raw.writeHead(200, { 'content-type': 'application/json', ...reply.getHeaders() } as never)
      reply.raw.flushHeaders()
      const left = new AbortController()
      reply.raw.once('close', () => left.abort())
      let seenRunning = first.state === 'running'
      const done = async (): Promise<boolean> => {
        const now = await service.inspect(first.id, o).catch((err: unknown) => {
          if (ContainerError.is(err, 'not_found')) return undefined
          throw err
        })
        if (condition === 'removed') return now === undefined
        if (now === undefined) return true
        if (now.state === 'running') seenRunning = true
        return now.state !== 'running' && (condition === 'not-running' || seenRunning)
      }
      await waitUntil(service, first.id, done, left.signal)
      reply.raw.end(JSON.stringify({ StatusCode: 0, Error: null }) + '\n')
      return reply.hijack()
    }))

    app.delete('/containers/:id', act(async (ref, request, reply) => {
      const o = op(request)
      if (boolParam(request.query, 'link')) throw cannotHonour('link', stringParam(request.query, 'link'))
      const force = boolParam(request.query, 'force')
      const view = await service.inspect(ref, o)
      if (view.state === 'running' && !force)
        throw new DockerError(
          409,
          `You cannot remove a running container ${view.id}. Stop the container before attempting removal or force remove`,
        )
      // v: the container's anonymous volumes go with it; portlayer gives containers none
      await service.remove(view.id, force ? { force } : {}, o)
      return reply.code(204).send()
    }))

    app.post('/containers/:id/rename', act(async (ref, request, reply) => {
      const o = op(request)
      const wanted = (stringParam(request.query, 'name') ?? '').replace(/^\//, '')
      if (wanted === '') throw badRequest('Neither old nor new names may be empty')
      if (!namePattern.test(wanted)) throw invalidName(wanted)
      try {
        await service.rename(ref, wanted, o)
      } catch (err) {
        if (ContainerError.is(err, 'same_name')) throw badRequest('Renaming a container with the same name as its current name')
        if (ContainerError.is(err, 'invalid_name') || ContainerError.is(err, 'name_empty')) throw invalidName(wanted)
        if (ContainerError.is(err, 'name_conflict')) throw await conflict(service, wanted, o)
        if (ContainerError.is(err, 'rename_not_supported'))
          throw new DockerError(
            409,
            `Renaming container ${ref} is not supported: it was created before rename support (data version below 4); ` +
              'run portlayer migrate, or create it again',
          )
        throw err
      }
      return reply.code(204).send()
    }))

    const notOffered = (what: string) => async () => {
      throw new DockerError(
        501,
        `portlayer does not offer ${what}: a container VM has no console reachable through the Docker API (use docker logs for its output)`,
      )
    }
    app.post('/containers/:id/attach', notOffered('attach'))
    app.get('/containers/:id/attach/ws', notOffered('attach'))
    app.post('/containers/:id/exec', notOffered('exec'))
    app.post('/exec/:id/start', notOffered('exec'))
    app.get('/exec/:id/json', notOffered('exec'))
    app.post('/exec/:id/resize', notOffered('exec'))
    app.post('/containers/:id/resize', notOffered('a console'))
    for (const what of ['pause', 'unpause', 'update']) app.post(`/containers/:id/${what}`, notOffered(what))
    for (const what of ['top', 'stats', 'changes', 'export']) app.get(`/containers/:id/${what}`, notOffered(what))
    app.get('/containers/:id/archive', notOffered('copying files'))
    app.put('/containers/:id/archive', notOffered('copying files'))
    app.head('/containers/:id/archive', notOffered('copying files'))
    app.post('/containers/prune', notOffered('prune'))
  }
}

/** The stop timeout the container was created with (docker's `StopTimeout`). */
function dockerStopTimeout(view: ContainerView): number | undefined {
  return dockerConfigOf(view.annotations).StopTimeout
}

/** Resolves once `done` holds: checked at each event of the container and every second, until `signal` aborts. */
async function waitUntil(service: DockerService, id: string, done: () => Promise<boolean>, signal: AbortSignal): Promise<void> {
  let wake: (() => void) | undefined
  const unsubscribe = service.onEvent((event) => {
    if (event.id === id) wake?.()
  })
  try {
    while (!signal.aborted && !(await done())) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(settle, 1_000)
        function settle(): void {
          clearTimeout(timer)
          signal.removeEventListener('abort', settle)
          resolve()
        }
        wake = settle
        signal.addEventListener('abort', settle, { once: true })
      })
    }
  } finally {
    unsubscribe()
  }
}
