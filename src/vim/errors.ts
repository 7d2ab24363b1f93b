/**
 * Errors of the vim client that are not vSphere faults: the server could not be reached (the service answers 503),
 * its certificate is not trusted, its answer could not be read, or a request cannot be written as XML.
 * vSphere's own faults are `VimFault` (fault.ts). No message here carries a password, a session cookie or the
 * credentials of a URL.
 */

export type UnreachableReason = 'refused' | 'reset' | 'timeout' | 'dns' | 'tls' | 'http-status' | 'closed'

/** vSphere did not answer, or answered at the HTTP level only (a proxy's 502, a dropped connection). */
export class VimUnreachable extends Error {
  override readonly name: string = 'VimUnreachable'
  constructor(
    readonly reason: UnreachableReason,
    readonly endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/**
 * The server's certificate was refused: not signed by a trusted CA, or not the pinned thumbprint. The message
 * names the thumbprint the server presented so an operator can decide to pin it.
 */
export class VimCertificateUntrusted extends VimUnreachable {
  override readonly name = 'VimCertificateUntrusted'
  constructor(
    endpoint: string,
    readonly presentedSha256: string | undefined,
    readonly presentedSha1: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'tls',
      endpoint,
      `the certificate of ${endpoint} is not trusted (${detail})` +
        (presentedSha256 ? `; it presented SHA-256 thumbprint ${presentedSha256}: pin it or give its CA file` : ''),
      options,
    )
  }
}

/** The server answered something that is not a SOAP answer this client understands. */
export class VimProtocolError extends Error {
  override readonly name = 'VimProtocolError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** A request value cannot be sent: a character XML 1.0 cannot carry, or a field missing from the order table. */
export class VimEncodeError extends Error {
  override readonly name = 'VimEncodeError'
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`)
  }
}

/** The client was closed; calls made after `close()` fail with this. */
export class VimClientClosed extends Error {
  override readonly name = 'VimClientClosed'
  constructor() {
    super('the vSphere client is closed')
  }
}

/** A task did not finish within the time the caller allowed; it may still be running on the server. */
export class VimTaskTimeout extends Error {
  override readonly name = 'VimTaskTimeout'
  constructor(
    readonly task: { readonly type: string; readonly value: string },
    readonly timeoutMs: number,
  ) {
    super(`task ${task.value} did not finish within ${timeoutMs} ms; it may still be running in vSphere`)
  }
}
