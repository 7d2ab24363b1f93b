// Secrets never reach the log. A full composed service logs at `trace` into memory while it logs in, loses its
// session to the idle timeout and logs in again, creates, renames, and refuses bad requests; the CLI's own logger
// is fed the objects that carry secrets. No line, at any level, may hold the vSphere password (as written or
// XML-escaped) or any `vmware_soap_session` value the simulator handed out (recorded on the wire by a proxy).
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/cli/logger.js'
import { loadConfig } from '../../../src/config.js'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { containersApi } from '../../helpers/containers-api.js'
import { startSim } from '../../helpers/govcsim.js'
import { startPortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { escapeXml } from '../../helpers/raw-soap.js'
import { startCountingProxy, type CountingProxy } from './counting-proxy.js'

const password = 'Pl-s3cr3t-<&>"-pw'
const token = 'tok-9f8e7d6c5b4a-bearer'
const idleTimeoutMs = 1_000

/** every line written, as text */
class MemoryLog extends Writable {
  readonly lines: string[] = []
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''))
    done()
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function forbidden(): string[] {
  return [password, escapeXml(password), JSON.stringify(password).slice(1, -1), token, ...proxy.sessionKeys]
}

function assertClean(lines: readonly string[]): void {
  const secrets = forbidden()
  for (const line of lines) {
    JSON.parse(line) // every line is a JSON record
    for (const secret of secrets) expect(line.includes(secret), `a secret in: ${line.slice(0, 300)}`).toBe(false)
  }
}

let sim: Govcsim
let proxy: CountingProxy
let pl: Portlayer
const log = new MemoryLog()

beforeAll(async () => {
  sim = await startSim({ username: 'svc-portlayer', password, sessionIdleTimeout: idleTimeoutMs })
  proxy = await startCountingProxy(sim.url)
  const proxied = Object.create(sim, { url: { value: proxy.url } }) as Govcsim
  pl = await startPortlayer({ existingSim: proxied, logger: pino({ level: 'trace' }, log), config: { token: undefined } })
})

afterAll(async () => {
  await pl?.close()
  await proxy?.close()
  await sim?.stop()
})

describe('the service log at trace level', () => {
  it('holds neither the password nor a session cookie through login, re-login, create, rename and errors', async () => {
    const api = containersApi(() => pl)
    const auth = { authorization: `Bearer ${token}`, cookie: `vmware_soap_session=${[...proxy.sessionKeys][0] ?? 'x'}` }

    const web = await api.created({ name: 'web', annotations: { note: 'first' } })
    await sleep(idleTimeoutMs * 2 + 500) // the simulator drops the idle session
    // a read renews the session transparently (a create right after expiry is refused, not resent)
    expect((await pl.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
    const db = await api.created({ name: 'db' })
    const renamed = await pl.inject({ method: 'POST', url: `/v1/containers/${web.id}/rename?name=web2`, headers: auth })
    expect(renamed.statusCode).toBe(204)
    expect((await pl.inject({ method: 'GET', url: '/v1/containers/nope', headers: auth })).statusCode).toBe(404)
    expect((await api.create({ name: 'db' })).status).toBe(409)
    expect((await api.create({ name: '<&>' })).status).toBe(400)
    expect((await api.start(db.id)).status).toBe(204)
    expect((await api.remove(db.id)).status).toBe(409)

    // the scenario did what it claims: two sessions (login and re-login) and a log with trace lines in it
    expect(proxy.sessionKeys.size).toBeGreaterThanOrEqual(2)
    const levels = new Set(log.lines.map((l) => (JSON.parse(l) as { level: number }).level))
    expect(levels.has(10) || levels.has(20)).toBe(true)
    expect(log.lines.length).toBeGreaterThan(10)
    assertClean(log.lines)
  })
})

describe('the CLI logger', () => {
  it('redacts the password, token, cookies and authorization wherever a caller puts them', async () => {
    const out = new MemoryLog()
    const logger = createLogger('trace', out)
    const key = [...proxy.sessionKeys][0] ?? 'session-key-value'
    const config = await loadConfig(
      { url: 'https://vc.example.com/sdk', username: 'u', logLevel: 'trace' },
      { PORTLAYER_VSPHERE_PASSWORD: password, PORTLAYER_TOKEN: token },
    )
    logger.info({ config }, 'configuration')
    logger.trace({ password, token, cookie: `vmware_soap_session=${key}` }, 'flat')
    logger.debug({ login: { password }, vsphere: { auth: { password } } }, 'nested')
    logger.warn({ headers: { authorization: `Bearer ${token}`, cookie: `vmware_soap_session=${key}`, 'set-cookie': [`vmware_soap_session=${key}`] } }, 'headers')
    logger.error({ req: { headers: { authorization: `Bearer ${token}`, cookie: `vmware_soap_session=${key}` } } }, 'request')
    logger.fatal({ res: { headers: { 'set-cookie': `vmware_soap_session=${key}; Path=/` } } }, 'response')
    logger.child({ password }).info('child bindings')
    expect(out.lines).toHaveLength(7)
    assertClean(out.lines)
    expect(out.lines.join('\n')).not.toContain(key)
  })
})
