// TLS verification is on unless turned off: the service composed from a configuration that names no CA and no
// thumbprint refuses a govcsim serving a self-signed certificate made here, before the password is sent; a wrong
// thumbprint is refused too, and the right one is accepted (so the refusals are about trust, not a broken rig).
import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, Secret, type Config, type TlsConfig } from '../../../src/config.js'
import { compose } from '../../../src/di.js'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { startSim } from '../../helpers/govcsim.js'

let dir: string
let sim: Govcsim
let cert: X509Certificate

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'security-tls-'))
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', 'key.pem', '-out', 'cert.pem'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  cert = new X509Certificate(readFileSync(path.join(dir, 'cert.pem')))
  sim = await startSim({ tls: true, cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') })
})

afterAll(async () => {
  await sim?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function configWith(tls: TlsConfig): Config {
  return {
    vsphere: { url: sim.url, username: sim.username, password: new Secret(sim.password), tls },
    listen: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
  }
}

async function refused(tls: TlsConfig): Promise<Error> {
  await sim.resetStats()
  const err = await compose(configWith(tls), pino({ level: 'silent' })).then(
    async (runtime) => {
      await runtime.close()
      throw new Error('the service connected to an untrusted vSphere')
    },
    (e: unknown) => e as Error,
  )
  // nothing reached the SOAP endpoint, so the password never left the process
  expect((await sim.stats())['Login']).toBeUndefined()
  return err
}

describe('TLS towards vSphere', () => {
  it('verifies by default: a configuration without CA, thumbprint or --insecure is refused a self-signed server', async () => {
    const loaded = await loadConfig({ url: sim.url, username: sim.username }, { PORTLAYER_VSPHERE_PASSWORD: sim.password })
    expect(loaded.vsphere?.tls.insecure).toBe(false)
    const err = await refused(loaded.vsphere?.tls ?? { insecure: false })
    expect(err.message).toContain(cert.fingerprint256)
  })

  it('refuses a wrong thumbprint', async () => {
    await refused({ insecure: false, thumbprint: 'AB:'.repeat(31) + 'AB' })
  })

  it('accepts the server with its own thumbprint pinned', async () => {
    const runtime = await compose(configWith({ insecure: false, thumbprint: cert.fingerprint256 }), pino({ level: 'silent' }))
    await runtime.close()
  })
})
