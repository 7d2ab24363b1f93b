/**
 * Image routes of the Docker API front. portlayer pulls no layers: `docker load` stores a docker-archive on the
 * datastore and makes its images known (the service's image store); list, inspect, tag and remove work on those.
 * A pull answers with the image when it is known and with docker's own 404 `No such image: …` otherwise (clients
 * act on that text); push, build, search and the like answer 501.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { ContainerError } from '../../container/errors.js'
import { normalizeTag } from '../../container/images.js'
import type { ImageRecord } from '../../container/types.js'
import type { DockerRouteDeps } from '../app.js'
import { badRequest, DockerError } from '../errors.js'
import { parseFilters } from '../filters.js'
import { boolParam, stringParam, type Query } from '../query.js'

type Json = Record<string, unknown>

function created(image: ImageRecord): number {
  const ms = Date.parse(image.createdAt)
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000)
}

export function imageSummary(image: ImageRecord) {
  const config = (image.config.config ?? {}) as Json
  return {
    Id: image.id,
    ParentId: '',
    RepoTags: image.repoTags,
    RepoDigests: [],
    Created: created(image),
    Size: image.size,
    VirtualSize: image.size,
    SharedSize: -1,
    Labels: (config.Labels as Record<string, string> | null | undefined) ?? {},
    Containers: -1,
  }
}

export function imageInspect(image: ImageRecord) {
  const c = image.config
  return {
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: [],
    Parent: '',
    Comment: typeof c.comment === 'string' ? c.comment : '',
    Created: image.createdAt,
    Container: typeof c.container === 'string' ? c.container : '',
    ContainerConfig: c.container_config ?? {},
    DockerVersion: typeof c.docker_version === 'string' ? c.docker_version : '',
    Author: typeof c.author === 'string' ? c.author : '',
    Config: c.config ?? {},
    Architecture: typeof c.architecture === 'string' ? c.architecture : 'amd64',
    Os: typeof c.os === 'string' ? c.os : 'linux',
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Data: null, Name: 'vsphere' },
    RootFS: c.rootfs ?? { Type: 'layers' },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  }
}

/** Splits `/images/<name>/<action>` (a name may hold slashes) into name and action. */
function nameAndAction(path: string, actions: readonly string[]): { name: string; action: string } | undefined {
  for (const action of actions) {
    if (path.endsWith(`/${action}`)) return { name: path.slice(0, -action.length - 1), action }
  }
  return undefined
}

const noSuchImage = (ref: string) => new DockerError(404, `No such image: ${ref}`)

export function imageRoutes({ service, imageLoadLimit }: DockerRouteDeps): FastifyPluginAsync {
  return async (app) => {
    const image = (ref: string, opId: string) =>
      service.image(ref, { opId }).catch((err: unknown) => {
        throw ContainerError.is(err, 'not_found') ? noSuchImage(ref) : err
      })

    app.get('/images/json', async (request: FastifyRequest<{ Querystring: Query }>) => {
      const filters = parseFilters(stringParam(request.query, 'filters'), ['reference', 'dangling', 'label'])
      const refs = filters.get('reference') ?? []
      const dangling = filters.get('dangling') ?? []
      return (await service.images({ opId: request.id }))
        .filter((i) => refs.length === 0 || i.repoTags.some((t) => refs.some((r) => t === r || t.startsWith(`${r}:`))))
        .filter((i) => dangling.length === 0 || (dangling.includes('true') ? i.repoTags.length === 0 : i.repoTags.length > 0))
        .map(imageSummary)
    })

    app.post('/images/load', { bodyLimit: imageLoadLimit }, async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      const archive = request.body
      if (!Buffer.isBuffer(archive) || archive.length === 0)
        throw badRequest('docker load takes the image archive as the body (Content-Type: application/x-tar)')
      const loaded = await service.loadImages(archive, { opId: request.id })
      const quiet = boolParam(request.query, 'quiet')
      const lines = loaded.flatMap((i) =>
        i.repoTags.length > 0 ? i.repoTags.map((t) => `Loaded image: ${t}\n`) : [`Loaded image ID: ${i.id}\n`],
      )
      reply.code(200).header('content-type', 'application/json')
      return reply.send(lines.map((stream) => JSON.stringify(quiet ? { stream } : { stream })).join('\n') + '\n')
    })

    app.post('/images/create', async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      const from = stringParam(request.query, 'fromImage')
      if (from === undefined || from === '') throw new DockerError(501, 'portlayer does not import images: use docker load')
      const tag = stringParam(request.query, 'tag')
      const ref = tag === undefined || tag === '' || from.includes('@') ? from : `${from}:${tag}`
      const found = await image(normalizeTag(ref), request.id)
      reply.code(200).header('content-type', 'application/json')
      return reply.send(`${JSON.stringify({ status: `Image is up to date for ${found.repoTags[0] ?? found.id}` })}\n`)
    })

    app.get('/images/*', async (request: FastifyRequest<{ Params: { '*': string } }>) => {
      const parsed = nameAndAction(request.params['*'], ['json', 'history', 'get'])
      if (!parsed) throw new DockerError(404, 'page not found')
      if (parsed.action === 'get') throw new DockerError(501, 'portlayer does not offer docker save')
      const found = await image(parsed.name, request.id)
      if (parsed.action === 'history')
        return [{ Id: found.id, Created: created(found), CreatedBy: '', Tags: found.repoTags, Size: found.size, Comment: '' }]
      return imageInspect(found)
    })

    app.post('/images/*', async (request: FastifyRequest<{ Params: { '*': string }; Querystring: Query }>, reply) => {
      const parsed = nameAndAction(request.params['*'], ['tag', 'push'])
      if (!parsed) throw new DockerError(404, 'page not found')
      if (parsed.action === 'push') throw new DockerError(501, 'portlayer does not push images')
      const repo = stringParam(request.query, 'repo')
      if (repo === undefined || repo === '') throw badRequest('repository name (repo) is required')
      const tag = stringParam(request.query, 'tag')
      await image(parsed.name, request.id)
      await service.tagImage(parsed.name, tag === undefined || tag === '' ? repo : `${repo}:${tag}`, { opId: request.id })
      return reply.code(201).send()
    })

    app.delete('/images/*', async (request: FastifyRequest<{ Params: { '*': string }; Querystring: Query }>) => {
      const ref = request.params['*']
      if (boolParam(request.query, 'force')) throw new DockerError(400, 'portlayer cannot honour force: untag or remove each image by itself')
      await image(ref, request.id)
      const { untagged, deleted } = await service.removeImage(ref, { opId: request.id })
      return [...untagged.map((t) => ({ Untagged: t })), ...deleted.map((d) => ({ Deleted: d }))]
    })

    for (const path of ['/build', '/images/search', '/images/prune', '/commit']) {
      app.route({
        method: ['GET', 'POST'],
        url: path,
        handler: async () => {
          throw new DockerError(501, `portlayer does not offer ${path.slice(1)}: load images with docker load`)
        },
      })
    }
  }
}
