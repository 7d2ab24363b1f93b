/**
 * Container routes (`/v1/containers…`): each validates its input by schema, calls the one matching service
 * operation with the request's operation context, and shapes the answer. No business rule lives here.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ContainerService } from '../../container/types.js'
import { opContext } from '../op-id.js'
import { operation } from '../operation.js'
import {
  containerRef,
  CreateRequestSchema,
  ListQuery,
  RefParams,
  RemoveQuery,
  RenameQuery,
  StopQuery,
} from '../schemas.js'

const tags = ['containers']
const noContent = Type.Null({ description: 'done' })

export function containerRoutes(service: ContainerService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/containers',
      {
        schema: operation(
          { operationId: 'createContainer', tags, summary: 'Create a container VM (powered off)' },
          { body: CreateRequestSchema, response: { 201: containerRef('the new container, powered off') } },
          [404, 409, 413, 415],
        ),
      },
      async (request, reply) => {
        const view = await service.create(request.body, opContext(request))
        return reply.code(201).header('location', `/v1/containers/${view.id}`).send(view)
      },
    )

    app.get(
      '/containers',
      {
        schema: operation(
          { operationId: 'listContainers', tags, summary: 'List running containers, or all with ?all=true' },
          { querystring: ListQuery, response: {
              200: Type.Array(containerRef('a container'), { description: 'the containers' }),
            }, },
        ),
      },
      async (request) => service.list(request.query.all ?? false, opContext(request)),
    )

    app.get(
      '/containers/:ref',
      {
        schema: operation(
          {
            operationId: 'inspectContainer',
            tags,
            summary: 'Inspect a container by full ID, unique ID prefix or name',
          },
          { params: RefParams, response: { 200: containerRef('the container') } },
          [404, 409],
        ),
      },
      async (request) => service.inspect(request.params.ref, opContext(request)),
    )

    app.post(
      '/containers/:ref/start',
      {
        schema: operation(
          { operationId: 'startContainer', tags, summary: 'Power a container VM on' },
          { params: RefParams, response: { 204: noContent } },
          [404, 409],
        ),
      },
      async (request, reply) => {
        await service.start(request.params.ref, opContext(request))
        return reply.code(204).send(null)
      },
    )

    app.post(
      '/containers/:ref/stop',
      {
        schema: operation(
          { operationId: 'stopContainer', tags, summary: 'Power a container VM off' },
          { params: RefParams, querystring: StopQuery, response: { 204: noContent } },
          [404, 409],
        ),
      },
      async (request, reply) => {
        const { timeout } = request.query
        await service.stop(request.params.ref, timeout === undefined ? {} : { timeout }, opContext(request))
        return reply.code(204).send(null)
      },
    )

    app.delete(
      '/containers/:ref',
      {
        schema: operation(
          { operationId: 'removeContainer', tags, summary: 'Remove a container VM and its files' },
          { params: RefParams, querystring: RemoveQuery, response: { 204: noContent } },
          [404, 409],
        ),
      },
      async (request, reply) => {
        const { force } = request.query
        await service.remove(request.params.ref, force === undefined ? {} : { force }, opContext(request))
        return reply.code(204).send(null)
      },
    )

    app.post(
      '/containers/:ref/rename',
      {
        schema: operation(
          {
            operationId: 'renameContainer',
            tags,
            summary: 'Rename a container; links naming the old name follow',
          },
          { params: RefParams, querystring: RenameQuery, response: { 204: noContent } },
          [404, 409],
        ),
      },
      async (request, reply) => {
        await service.rename(request.params.ref, request.query.name, opContext(request))
        return reply.code(204).send(null)
      },
    )
  }
}
