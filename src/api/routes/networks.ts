/** Network route (`/v1/networks/{net}`): who answers to which name on one network. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ContainerService, NetworkInfo } from '../../container/types.js'
import { opContext } from '../op-id.js'
import { operation } from '../operation.js'
import { NetworkParams } from '../schemas.js'

const NetworkRef = Type.Unsafe<NetworkInfo>({ $ref: 'Network#', description: 'the network and its endpoints' })

export function networkRoutes(service: ContainerService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/networks/:net',
      {
        schema: operation(
          {
            operationId: 'inspectNetwork',
            tags: ['networks'],
            summary: 'The containers on a network, the names each answers to and their links',
          },
          { params: NetworkParams, response: { 200: NetworkRef } },
          [404],
        ),
      },
      async (request) => service.network(request.params.net, opContext(request)),
    )
  }
}
