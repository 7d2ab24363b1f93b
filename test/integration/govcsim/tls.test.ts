// -tls: https with a certificate of our own (made here with openssl), which a client can verify, or with
// vcsim's built-in one; the control endpoints follow the SDK onto https.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { expectOk, RawSoap, serviceInstance, textOf } from '../../helpers/raw-soap.js'

const dir = mkdtempSync(path.join(tmpdir(), 'govcsim-tls-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A self-signed certificate for 127.0.0.1; returns the cert and key file paths. */
function selfSigned(name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.pem`)
  const key = path.join(dir, `${name}.key`)
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' })
  return { cert, key }
}

const { cert, key } = selfSigned('server')
const stranger = selfSigned('stranger')

describe('TLS with our own certificate', () => {
  const sim = useSim({ tls: true, cert, key })

  it('serves the SDK over https with a certificate a client can verify', async () => {
    expect(sim().url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/sdk$/)
    expect(sim().inventory.tls).toBe(true)
    const soap = new RawSoap(sim().url, { ca: readFileSync(cert) })
    try {
      const reply = await soap.call('RetrieveServiceContent', serviceInstance)
      expectOk(reply)
      expect(textOf(reply.text, 'apiType')).toBe('VirtualCenter')
      expectOk(await soap.login(sim().username, sim().password))
    } finally {
      soap.close()
    }
  })

  it('refuses a client that trusts another certificate', async () => {
    const other = new RawSoap(sim().url, { ca: readFileSync(stranger.cert) })
    await expect(other.call('RetrieveServiceContent', serviceInstance)).rejects.toThrow(/self[- ]signed/i)
    other.close()
  })

  it('serves the control endpoints over https too', async () => {
    await sim().resetStats()
    expect(await sim().stats()).toEqual({})
  })
})

describe('TLS with the built-in certificate', () => {
  const sim = useSim({ tls: true })

  it('serves https to a client that does not verify', async () => {
    expect(sim().url).toMatch(/^https:/)
    const soap = await RawSoap.connect(sim().url, sim().username, sim().password)
    expectOk(await soap.call('CurrentTime', serviceInstance))
    soap.close()
  })
})
