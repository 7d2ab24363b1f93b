/**
 * A standby's Docker API front passes each write on to the writer's front as it came (method, path with its API
 * version, headers, body) and the writer's answer back as it goes, so docker's clients get the writer's own reply.
 * Reads stay here: the standby's store answers them.
 */
import { request as httpRequest } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'

export function isWrite(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS'
}

export function forward(address: string, path: string, request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack()
  const target = new URL(address)
  const upstream = httpRequest(
    // one connection per forwarded request: nothing is left open to the writer when either side closes
    { host: target.hostname, port: target.port, method: request.method, path, headers: { ...request.headers, connection: 'close' }, agent: false },
    (answer) => {
      reply.raw.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(reply.raw)
    },
  )
  upstream.on('error', () => {
    if (reply.raw.headersSent) return void reply.raw.destroy()
    const message = `the namespace's writer at ${address} cannot be reached; retry in a few seconds`
    reply.raw.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' })
    reply.raw.end(JSON.stringify({ message }))
  })
  reply.raw.on('close', () => upstream.destroy())
  request.raw.pipe(upstream)
}
