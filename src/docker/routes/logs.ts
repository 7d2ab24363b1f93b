/**
 * `GET /containers/{id}/logs`: the container's output (the service reads its iolog `output.log` from the datastore)
 * as docker's multiplexed frames (log-frames.ts), with docker's stdout/stderr/since/until/tail/timestamps/follow.
 * A client that leaves ends the read, and with it the follow.
 */
import { pipeline } from 'node:stream'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { dockerConfigOf } from '../../container/docker-config.js'
import type { LogsRequest } from '../../container/types.js'
import { LogError } from '../../logs/index.js'
import type { DockerRouteDeps } from '../app.js'
import { badRequest } from '../errors.js'
import { JsonFileToFrames, RawToFrames } from '../log-frames.js'
import { boolParam, containerRef, stringParam, type Query } from '../query.js'
import { aboutContainer } from './containers.js'

export function logRoutes({ service }: DockerRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/containers/:id/logs', async (request: FastifyRequest<{ Params: { id: string }; Querystring: Query }>, reply) => {
      const ref = containerRef(request.params.id)
      const q = request.query
      const stdout = boolParam(q, 'stdout')
      const stderr = boolParam(q, 'stderr')
      if (!stdout && !stderr) throw badRequest('Bad parameters: you must choose at least one stream')
      const tailText = stringParam(q, 'tail')
      let tail: number | undefined
      if (tailText !== undefined && tailText !== '' && tailText !== 'all') {
        if (!/^\d{1,9}$/.test(tailText)) throw badRequest(`invalid value for tail: ${JSON.stringify(tailText.slice(0, 50))}`)
        tail = Number(tailText)
      }
      const since = stringParam(q, 'since')
      const until = stringParam(q, 'until')
      const timestamps = boolParam(q, 'timestamps')
      const follow = boolParam(q, 'follow')
      const base: LogsRequest = {
        stdout,
        stderr,
        follow,
        ...(tail !== undefined ? { tail } : {}),
        ...(since !== undefined && since !== '' && since !== '0' ? { since } : {}),
        ...(until !== undefined && until !== '' && until !== '0' ? { until } : {}),
      }
      const left = new AbortController()
      reply.raw.once('close', () => left.abort())
      const o = { opId: request.id, signal: left.signal }
      const view = await service.inspect(ref, o).catch((err: unknown) => {
        throw aboutContainer(err, ref)
      })
      const tty = dockerConfigOf(view.annotations).Tty ?? false
      let framer: JsonFileToFrames | RawToFrames = new JsonFileToFrames({ timestamps, tty })
      const logs = await service.logs(view.id, { ...base, format: 'json-file' }, o).catch(async (err: unknown) => {
        // a container of data version 0 wrote bare bytes, without times or streams: those can still be sent whole
        if (!LogError.is(err) || timestamps || base.since !== undefined || base.until !== undefined) throw err
        framer = new RawToFrames(tty)
        return service.logs(view.id, { ...base, format: 'raw' }, o)
      })
      if (left.signal.aborted) {
        logs.stream.destroy()
        return reply.hijack()
      }
      left.signal.addEventListener('abort', () => logs.stream.destroy(), { once: true })
      const out = pipeline(logs.stream, framer, () => undefined)
      reply
        .code(200)
        .header('content-type', tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream')
        .header('cache-control', 'no-store')
      if (follow) reply.raw.once('pipe', () => reply.raw.flushHeaders())
      return reply.send(out)
    })
  }
}
