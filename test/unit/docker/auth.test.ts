// The bearer token on the Docker API front: with one set, every route but `_ping` needs it (docker's clients send it
// through config.json's HttpHeaders), and the refusal is docker-shaped; without one, nothing is asked.
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { DockerService } from '../../../src/container/types.js'
import { buildDockerApp } from '../../../src/docker/app.js'

// nothing is reached past the guard, so the service is never called
const service = {
  list: async () => [],
  images: async () => [],
  networks: async () => [],
  onEvent: () => () => undefined,
} as unknown as DockerService

describe('the Docker API front and its token', () => {
  it('refuses a request without the token with 401 and a message; _ping stays open', async () => {
    const app = buildDockerApp({ service, logger: pino({ level: 'silent' }), token: 's3cret-token' })
    const refused = await app.inject({ method: 'GET', url: '/v1.41/containers/json' })
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['content-type']).toBe('application/json')
    expect(refused.json().message).toContain('missing or wrong bearer token')
    expect((await app.inject({ method: 'GET', url: '/v1.41/containers/json', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/v1.41/containers/json', headers: { authorization: 'Bearer s3cret-token' } })).statusCode).toBe(200)
    const ping = await app.inject({ method: 'GET', url: '/_ping' })
    expect(ping.statusCode).toBe(200)
    expect(ping.headers['api-version']).toBe('1.41')
    await app.close()
  })

  it('asks nothing without a token, and refuses an empty one', async () => {
    const app = buildDockerApp({ service, logger: pino({ level: 'silent' }) })
    expect((await app.inject({ method: 'GET', url: '/containers/json' })).statusCode).toBe(200)
    await app.close()
    expect(() => buildDockerApp({ service, logger: pino({ level: 'silent' }), token: '' })).toThrow('the bearer token is empty')
  })
})
