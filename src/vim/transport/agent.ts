/**
 * The keep-alive connection pool to one vSphere endpoint, and how its TLS certificate is trusted: verified
 * against the system CAs (the default) or a CA file, pinned by SHA-256 or SHA-1 thumbprint, or, only when asked
 * explicitly, not checked at all. Never process-wide (`NODE_TLS_REJECT_UNAUTHORIZED`).
 *
 * The check runs when the TLS handshake completes and before the socket is handed to a request, so not one byte
 * (a Login password) is written to a server that fails it. Node computes `authorized` (chain and host name) even
 * when it is told not to reject, which lets one code path give every refusal the thumbprint the server presented.
 */

import http from 'node:http'
import https from 'node:https'
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import { VimCertificateUntrusted } from '../errors.js'

export interface TlsOptions {
  /** PEM text of the CA certificates to trust instead of the system ones. */
  readonly ca?: string | Buffer
  /** SHA-256 (64 hex digits) or SHA-1 (40) of the server certificate, colons and case optional. */
  readonly thumbprint?: string
  /** Accept any certificate. For labs only; the caller must set it on purpose. */
  readonly insecure?: boolean
}

/** `AA:BB:…` uppercase, the form Node and vCenter print thumbprints in. */
export function normalizeThumbprint(thumbprint: string): string {
  const hex = thumbprint.replace(/[:\s]/g, '').toUpperCase()
  if (!/^([0-9A-F]{40}|[0-9A-F]{64})$/.test(hex)) {
    throw new TypeError('a thumbprint is 40 (SHA-1) or 64 (SHA-256) hex digits')
  }
  return hex.match(/../g)!.join(':')
}

type Trust = { kind: 'verify' } | { kind: 'pin'; thumbprint: string } | { kind: 'insecure' }

type CreateCallback = (err: Error | null, socket: Duplex) => void

const handshakeTimeoutMs = 30_000

class TrustingAgent extends https.Agent {
  constructor(
    private readonly trust: Trust,
    private readonly endpoint: string,
    options: https.AgentOptions,
  ) {
    super(options)
  }

  // Returning undefined and calling back later is the Agent's documented asynchronous form of createConnection.
  override createConnection(options: http.RequestOptions, callback?: CreateCallback): Duplex | undefined {
    const create = https.Agent.prototype.createConnection as (o: http.RequestOptions) => Duplex
    const socket = create.call(this, options) as TLSSocket
    const onError = (err: Error): void => callback?.(err, socket)
    socket.once('error', onError)
    // the request has no socket (so no timeout of its own) until the handshake is done and checked
    const onTimeout = (): void => {
      socket.destroy(Object.assign(new Error(`no TLS handshake within ${handshakeTimeoutMs} ms`), { code: 'ETIMEDOUT' }))
    }
    socket.setTimeout(handshakeTimeoutMs)
    socket.once('timeout', onTimeout)
    socket.once('secureConnect', () => {
      socket.setTimeout(0)
      socket.removeListener('timeout', onTimeout)
      socket.removeListener('error', onError)
      const refusal = this.check(socket)
      if (refusal) {
        socket.destroy()
        callback?.(refusal, socket)
      } else {
        callback?.(null, socket)
      }
    })
    return undefined
  }

  private check(socket: TLSSocket): Error | undefined {
    if (this.trust.kind === 'insecure') return undefined
    const cert = socket.getPeerCertificate()
    const sha256 = cert.fingerprint256 || undefined
    const sha1 = cert.fingerprint || undefined
    if (this.trust.kind === 'pin') {
      const pin = this.trust.thumbprint
      if (pin === sha256 || pin === sha1) return undefined
      return new VimCertificateUntrusted(this.endpoint, sha256, sha1, `its thumbprint is not the pinned ${pin}`)
    }
    if (socket.authorized) return undefined
    const why = socket.authorizationError
    const detail = why instanceof Error ? why.message : String(why ?? 'unknown verification error')
    return new VimCertificateUntrusted(this.endpoint, sha256, sha1, detail)
  }
}

/** One pool of keep-alive sockets per client. */
export function createAgent(url: URL, tls: TlsOptions): http.Agent {
  const common = { keepAlive: true, keepAliveMsecs: 15_000 }
  if (url.protocol === 'http:') return new http.Agent(common)
  if (tls.insecure && tls.thumbprint) throw new TypeError('choose either a thumbprint pin or insecure, not both')
  const trust: Trust = tls.insecure
    ? { kind: 'insecure' }
    : tls.thumbprint
      ? { kind: 'pin', thumbprint: normalizeThumbprint(tls.thumbprint) }
      : { kind: 'verify' }
  return new TrustingAgent(trust, url.origin, {
    ...common,
    rejectUnauthorized: false,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
  })
}
