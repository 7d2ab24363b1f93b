import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { text } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSim } from '../../helpers/govcsim.js'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { VimCertificateUntrusted, type VimClient } from '../../../src/vim/index.js'
import { connectTo, delta } from './support.js'

// A CA and a server certificate for 127.0.0.1 signed by it, made for this file only.
let dir: string
let caFile: string
let serverCert: X509Certificate
let sim: Govcsim

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vim-tls-'))
  const key = ['-newkey', 'rsa:2048', '-nodes']
  openssl('req', '-x509', ...key, '-days', '2', '-subj', '/CN=portlayer test CA', '-keyout', 'ca.key', '-out', 'ca.pem')
  openssl('req', ...key, '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr')
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n')
  const signedByCa = ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext']
  openssl('x509', '-req', '-in', 'server.csr', ...signedByCa, '-out', 'server.pem')
  caFile = path.join(dir, 'ca.pem')
  serverCert = new X509Certificate(readFileSync(path.join(dir, 'server.pem')))
  sim = await startSim({ tls: true, cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') })
})

afterAll(async () => {
  await sim?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function connectsAndWorks(options: Parameters<typeof connectTo>[1]): Promise<void> {
  let client: VimClient | undefined
  try {
    client = await connectTo(sim, options)
    expect(client.endpoint).toMatch(/^https:/)
    expect(await client.ping()).toBeInstanceOf(Date)
  } finally {
    await client?.close()
  }
}

async function refusedBeforeAnyCall(options: Parameters<typeof connectTo>[1]): Promise<VimCertificateUntrusted> {
  const before = await sim.stats()
  const err = await connectTo(sim, options).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(VimCertificateUntrusted)
  // not one SOAP call reached the server: no password was sent to a server that failed the check
  expect(delta(before, await sim.stats())).toEqual({})
  return err as VimCertificateUntrusted
}

describe('TLS trust', () => {
  it('verifies certificates by default, so a certificate from an unknown CA is refused', async () => {
    const err = await refusedBeforeAnyCall({})
    expect(err.presentedSha256).toBe(serverCert.fingerprint256)
    expect(err.message).toContain(serverCert.fingerprint256)
  })

  it('trusts a server signed by the CA in the given CA file', async () => {
    await connectsAndWorks({ tls: { caFile } })
  })

  it('trusts a server whose certificate has the pinned SHA-256 or SHA-1 thumbprint, however it is written', async () => {
    await connectsAndWorks({ tls: { thumbprint: serverCert.fingerprint256 } })
    await connectsAndWorks({ tls: { thumbprint: serverCert.fingerprint } })
    await connectsAndWorks({ tls: { thumbprint: serverCert.fingerprint256.replace(/:/g, '').toLowerCase() } })
  })

  it('refuses a server whose certificate is not the pinned one, even when a CA would trust it', async () => {
    const wrong = 'AB:'.repeat(31) + 'AB'
    const err = await refusedBeforeAnyCall({ tls: { thumbprint: wrong, caFile } })
    expect(err.message).toContain('not the pinned')
  })

  it('accepts any certificate only when told insecure', async () => {
    await connectsAndWorks({ tls: { insecure: true } })
  })

  it('uses the same trust and session for datastore files', async () => {
    const client = await connectTo(sim, { tls: { thumbprint: serverCert.fingerprint256 } })
    try {
      const dc = sim.inventory.datacenters[0]!
      const file = { datastore: dc.datastores[0]!.name, datacenter: dc.name, path: 'tls/check.txt' }
      await client.files.put(file, 'over tls')
      expect(await text((await client.files.get(file)).stream)).toBe('over tls')
    } finally {
      await client.close()
    }
  })
})
