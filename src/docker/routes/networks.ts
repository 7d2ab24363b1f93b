/**
 * Network routes of the Docker API front: list, inspect (with every container on the network by its current name),
 * create, remove, connect and disconnect (with aliases and links). Definitions and endpoints are the service's.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { ContainerError } from '../../container/errors.js'
import type { ContainerView, NetworkDefinition } from '../../container/types.js'
import { builtinNetworks } from '../../container/networks.js'
import type { DockerRouteDeps } from '../app.js'
import { normalizeLink } from '../create-body.js'
import { badRequest, cannotHonour, DockerError } from '../errors.js'
import { parseFilters } from '../filters.js'
import { stringParam, type Query } from '../query.js'
import { aboutContainer } from './containers.js'

type Json = Record<string, unknown>

export function networkJson(network: NetworkDefinition, containers: readonly ContainerView[]) {
  return {
    Name: network.name,
    Id: network.id,
    Created: network.createdAt,
    Scope: 'local',
    Driver: network.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: network.internal,
    Attachable: network.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      containers
        .filter((c) => Object.hasOwn(c.networks, network.name))
        .map((c) => [c.id, { Name: c.name, EndpointID: '', MacAddress: '', IPv4Address: '', IPv6Address: '' }]),
    ),
    Options: {},
    Labels: network.labels,
  }
}

function isZero(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true
  if (Array.isArray(value)) return value.every(isZero)
  if (typeof value === 'object') return Object.values(value as Json).every(isZero)
  return false
}

function body(request: FastifyRequest): Json {
  const b = request.body
  if (b === undefined || b === null) return {}
  if (Buffer.isBuffer(b) || typeof b !== 'object' || Array.isArray(b)) throw badRequest('the body must be a JSON object')
  return b as Json
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw badRequest(`invalid JSON: ${field} must be a string`)
  return value
}

function optionalStrings(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw badRequest(`invalid JSON: ${field} must be a list of strings`)
  return value as string[]
}

const notFound = (ref: string) => new DockerError(404, `network ${ref} not found`)

export function networkRoutes({ service }: DockerRouteDeps): FastifyPluginAsync {
  return async (app) => {
    const find = async (ref: string, opId: string): Promise<NetworkDefinition> => {
      const networks = await service.networks({ opId })
      const found =
        networks.find((n) => n.id === ref) ??
        networks.find((n) => n.name === ref) ??
        (/^[0-9a-f]+$/.test(ref) ? networks.filter((n) => n.id.startsWith(ref)) : []).at(0)
      if (!found) throw notFound(ref)
      return found
    }

    app.get('/networks', async (request: FastifyRequest<{ Querystring: Query }>) => {
      const o = { opId: request.id }
      const filters = parseFilters(stringParam(request.query, 'filters'), ['name', 'id', 'label', 'driver', 'type', 'scope'])
      const containers = await service.list(true, o)
      return (await service.networks(o))
        .filter((n) => {
          const names = filters.get('name') ?? []
          if (names.length > 0 && !names.some((name) => n.name.includes(name))) return false
          const ids = filters.get('id') ?? []
          if (ids.length > 0 && !ids.some((id) => n.id.startsWith(id))) return false
          const drivers = filters.get('driver') ?? []
          if (drivers.length > 0 && !drivers.includes(n.driver)) return false
          const types = filters.get('type') ?? []
          const builtin = builtinNetworks.includes(n.name)
          if (types.length > 0 && !types.includes(builtin ? 'builtin' : 'custom')) return false
          const scopes = filters.get('scope') ?? []
          if (scopes.length > 0 && !scopes.includes('local')) return false
          for (const label of filters.get('label') ?? []) {
            const [key = '', ...rest] = label.split('=')
            if (!Object.hasOwn(n.labels, key)) return false
            if (rest.length > 0 && n.labels[key] !== rest.join('=')) return false
          }
          return true
        })
        .map((n) => networkJson(n, containers))
    })

    app.get('/networks/:id', async (request: FastifyRequest<{ Params: { id: string }; Querystring: Query }>) => {
      const o = { opId: request.id }
      const network = await find(request.params.id, o.opId)
      return networkJson(network, await service.list(true, o))
    })

    app.post('/networks/create', async (request, reply) => {
      const o = { opId: request.id }
      const b = body(request)
      const name = optionalString(b.Name, 'Name')
      if (name === undefined || name === '') throw badRequest('Name is required: give the network a name')
      const driver = optionalString(b.Driver, 'Driver')
      for (const [key, value] of Object.entries(b)) {
        if (['Name', 'Driver', 'Labels', 'Internal', 'Attachable', 'CheckDuplicate'].includes(key)) continue
        if (key === 'IPAM' && isZero({ ...(value as Json), Driver: (value as Json | null)?.Driver === 'default' ? '' : (value as Json | null)?.Driver })) continue
        if (key === 'Scope' && (value === 'local' || value === '')) continue
        if (!isZero(value)) throw cannotHonour(key, value)
      }
      const labels = b.Labels ?? {}
      if (typeof labels !== 'object' || labels === null || Array.isArray(labels) || !Object.values(labels).every((v) => typeof v === 'string'))
        throw badRequest('invalid JSON: Labels must be an object of strings')
      for (const key of ['Internal', 'Attachable'] as const)
        if (b[key] !== undefined && b[key] !== null && typeof b[key] !== 'boolean') throw badRequest(`invalid JSON: ${key} must be true or false`)
      if (driver !== undefined && driver !== '' && driver !== 'bridge') throw cannotHonour('Driver', driver)
      try {
        const network = await service.createNetwork(
          {
            name,
            driver: 'bridge',
            labels: labels as Record<string, string>,
            internal: b.Internal === true,
            attachable: b.Attachable === true,
          },
          o,
        )
        return reply.code(201).send({ Id: network.id, Warning: '' })
      } catch (err) {
        if (ContainerError.is(err, 'name_conflict')) throw new DockerError(409, `network with name ${name} already exists`)
        throw err
      }
    })

    app.delete('/networks/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const o = { opId: request.id }
      const network = await find(request.params.id, o.opId)
      try {
        await service.removeNetwork(network.id, o)
      } catch (err) {
        if (ContainerError.is(err, 'conflict')) throw new DockerError(403, err.message)
        if (ContainerError.is(err, 'invalid_request')) throw new DockerError(403, err.message)
        throw err
      }
      return reply.code(204).send()
    })

    app.post('/networks/:id/connect', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const o = { opId: request.id }
      const b = body(request)
      const container = optionalString(b.Container, 'Container')
      if (container === undefined || container === '') throw badRequest('Container is required: name the container to connect')
      const endpoint = (b.EndpointConfig ?? {}) as Json
      if (typeof endpoint !== 'object' || Array.isArray(endpoint)) throw badRequest('invalid JSON: EndpointConfig must be an object')
      for (const [key, value] of Object.entries(endpoint)) {
        if (['Aliases', 'Links', 'NetworkID', 'EndpointID'].includes(key)) continue
        if (!isZero(value)) throw cannotHonour(`EndpointConfig.${key}`, value)
      }
      const network = await find(request.params.id, o.opId)
      if (network.name === 'host' || network.name === 'none') throw cannotHonour('network', network.name)
      const aliases = optionalStrings(endpoint.Aliases, 'EndpointConfig.Aliases')
      const links = optionalStrings(endpoint.Links, 'EndpointConfig.Links').map((l) => normalizeLink(l, 'EndpointConfig.Links'))
      const ref = container.replace(/^\//, '')
      await service.connect(ref, network.name, { aliases, links }, o).catch((err: unknown) => {
        throw aboutContainer(err, ref)
      })
      return reply.code(200).send()
    })

    app.post('/networks/:id/disconnect', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const o = { opId: request.id }
      const b = body(request)
      const container = optionalString(b.Container, 'Container')
      if (container === undefined || container === '') throw badRequest('Container is required: name the container to disconnect')
      const network = await find(request.params.id, o.opId)
      const ref = container.replace(/^\//, '')
      await service.disconnect(ref, network.name, o).catch((err: unknown) => {
        throw aboutContainer(err, ref)
      })
      return reply.code(200).send()
    })

    app.post('/networks/prune', async () => {
      throw new DockerError(501, 'portlayer does not offer network prune: remove networks by name')
    })
  }
}
