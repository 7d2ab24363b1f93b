/**
 * Health routes: `/healthz` says the process serves requests (no token needed, no vSphere call); `/readyz` says
 * whether vSphere answered recently, so a load balancer sends traffic only to instances that can act.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ContainerService } from '../../container/types.js'
import { ContainerError } from '../../container/errors.js'
import { operation } from '../operation.js'
import { HealthSchema, ReadySchema } from '../schemas.js'
import { serviceVersion } from '../../version.js'

export function healthRoutes(service: ContainerService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: operation(
          { operationId: 'health', tags: ['health'], summary: 'The process is up', security: [] },
          { response: { 200: HealthSchema } },
        ),
      },
      async () => ({ status: 'ok' as const, version: serviceVersion }),
    )

    app.get(
      '/readyz',
      {
        schema: operation(
          { operationId: 'ready', tags: ['health'], summary: 'vSphere answered recently' },
          { response: { 200: ReadySchema } },
        ),
      },
      async (request) => {
        let ready = false
        try {
          ready = await service.ready()
        } catch (err) {
          request.log.warn({ err }, 'readiness check failed')
        }
        if (ready) return { status: 'ready' as const }
        throw new ContainerError('vsphere_unavailable', 'vSphere has not answered recently; retry later')
      },
    )
  }
}
