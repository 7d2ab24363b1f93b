/**
 * `GET /events`: container events in docker's shape (`{status, id, from, Type, Action, Actor: {ID, Attributes},
 * scope, time, timeNano}`), one JSON object per line, for as long as the client stays or until `until`. A rename
 * carries `oldName` (with docker's leading `/`), a stop is docker's `die` then `stop`, a removal is `destroy`.
 * The front keeps the latest events so `since` can reach back a little (the service's events start when this
 * process started); filters: container, event, type, label, image.
 */
import { PassThrough } from 'node:stream'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { dockerConfigOf } from '../../container/docker-config.js'
import type { ContainerEvent } from '../../container/types.js'
import type { DockerRouteDeps } from '../app.js'
import { badRequest } from '../errors.js'
import { parseFilters } from '../filters.js'
import { stringParam, type Query } from '../query.js'

export const keptEvents = 1024
export const maxBacklogBytes = 1024 * 1024

export interface DockerEvent {
  status: string
  id: string
  from: string
  Type: 'container'
  Action: string
  Actor: { ID: string; Attributes: Record<string, string> }
  scope: 'local'
  time: number
  timeNano: number
}

/** docker's event time: unix seconds, fraction allowed, or RFC 3339; undefined when absent. */
export function eventTime(text: string | undefined, field: string): number | undefined {
  if (text === undefined || text === '') return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw badRequest(`invalid value for ${field}: ${JSON.stringify(text.slice(0, 50))}`)
  return ms
}

export function eventRoutes({ service }: DockerRouteDeps): FastifyPluginAsync {
  return async (app) => {
    const kept: DockerEvent[] = []
    const listeners = new Set<(event: DockerEvent) => void>()
    /** what is known of each container for its events' attributes, also after it is gone */
    const known = new Map<string, { image: string; labels: Record<string, string> }>()
    let chain = Promise.resolve()

    const publish = (event: DockerEvent) => {
      kept.push(event)
      if (kept.length > keptEvents) kept.shift()
      for (const listener of listeners) listener(event)
    }
    const translate = async (event: ContainerEvent): Promise<void> => {
      if (event.type !== 'remove') {
        const view = await service.inspect(event.id, { opId: 'events' }).catch(() => undefined)
        if (view) known.set(event.id, { image: view.image, labels: dockerConfigOf(view.annotations).Labels ?? {} })
      }
      const about = known.get(event.id) ?? { image: '', labels: {} }
      const ms = Date.parse(event.time)
      const actions = event.type === 'stop' ? ['die', 'stop'] : event.type === 'remove' ? ['destroy'] : [event.type]
      for (const action of actions) {
        const attributes: Record<string, string> = { ...about.labels, image: about.image, name: event.name }
        if (event.type === 'rename') attributes.oldName = `/${event.oldName}`
        if (action === 'die') attributes.exitCode = '0'
        publish({
          status: action,
          id: event.id,
          from: about.image,
          Type: 'container',
          Action: action,
          Actor: { ID: event.id, Attributes: attributes },
          scope: 'local',
          time: Math.floor(ms / 1000),
          timeNano: ms * 1_000_000,
        })
      }
      if (event.type === 'remove') known.delete(event.id)
    }
    const unsubscribe = service.onEvent((event) => {
      chain = chain.then(() => translate(event)).catch(() => undefined)
    })
    const open = new Set<() => void>()
    app.addHook('preClose', async () => {
      unsubscribe()
      for (const finish of [...open]) finish()
    })

    app.get('/events', async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      const filters = parseFilters(stringParam(request.query, 'filters'), ['container', 'event', 'type', 'label', 'image'])
      const since = eventTime(stringParam(request.query, 'since'), 'since')
      const until = eventTime(stringParam(request.query, 'until'), 'until')
      const types = filters.get('type') ?? []
      const matches = (e: DockerEvent): boolean => {
        if (types.length > 0 && !types.includes('container')) return false
        const containers = filters.get('container') ?? []
        if (containers.length > 0 && !containers.some((c) => e.id.startsWith(c) || e.Actor.Attributes.name === c)) return false
        const actions = filters.get('event') ?? []
        if (actions.length > 0 && !actions.includes(e.Action)) return false
        const images = filters.get('image') ?? []
        if (images.length > 0 && !images.includes(e.from)) return false
        for (const label of filters.get('label') ?? []) {
          const [key = '', ...rest] = label.split('=')
          if (!Object.hasOwn(e.Actor.Attributes, key)) return false
          if (rest.length > 0 && e.Actor.Attributes[key] !== rest.join('=')) return false
        }
        const ms = e.timeNano / 1_000_000
        return (since === undefined || ms >= since) && (until === undefined || ms <= until)
      }
      const stream = new PassThrough()
      let finished = false
      const finish = () => {
        if (finished) return
        finished = true
        listeners.delete(listener)
        open.delete(finish)
        clearTimeout(timer)
        stream.end()
      }
      const send = (e: DockerEvent) => {
        if (finished || !matches(e)) return
        if (stream.writableLength > maxBacklogBytes) return finish()
        stream.write(`${JSON.stringify(e)}\n`)
      }
      const listener = (e: DockerEvent) => send(e)
      if (since !== undefined) for (const e of kept) send(e)
      listeners.add(listener)
      open.add(finish)
      const timer = until === undefined ? undefined : setTimeout(finish, Math.max(0, until - Date.now()))
      reply.raw.once('close', finish)
      reply.raw.once('pipe', () => reply.raw.flushHeaders())
      reply.code(200).header('content-type', 'application/json').header('cache-control', 'no-store')
      return reply.send(stream)
    })
  }
}
