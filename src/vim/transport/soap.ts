/**
 * The innermost round tripper: encode the call, POST it with `SOAPAction: urn:vim25/<version>`, and decode the
 * answer. HTTP 500 is how vSphere sends a SOAP fault, so its body is decoded like a 200's and becomes a thrown
 * `VimFault`; a gateway status (502, 503, 504) means vSphere is not there (`VimUnreachable`); anything else is
 * a protocol error.
 */

import type { Logger } from 'pino'
import { decodeResponse } from '../codec/decode.js'
import { encodeRequest } from '../codec/encode.js'
import { VimProtocolError, VimUnreachable } from '../errors.js'
import { VimFault } from '../fault.js'
import type { CallOptions, MethodSpec, RoundTripper } from '../round-tripper.js'
import type { HttpTransport } from './http.js'

export class SoapRoundTripper implements RoundTripper {
  /** The vim25 API version sent in SOAPAction; set once the server's version is known. */
  version: string

  constructor(
    private readonly http: HttpTransport,
    version: string,
    private readonly log: Logger,
  ) {
    this.version = version
  }

  async roundTrip<A, R>(method: MethodSpec<A, R>, args: A, options: CallOptions = {}): Promise<R> {
    const body = encodeRequest(method, args as Record<string, unknown>, options.opId)
    const started = performance.now()
    const res = await this.http.request<string>({
      method: 'POST',
      url: this.http.url.href,
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `urn:vim25/${this.version}` },
      body,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      unbounded: method.longPoll || options.urgent === true,
    })
    if (this.log.isLevelEnabled('debug')) {
      const ms = Math.round((performance.now() - started) * 10) / 10
      this.log.debug({ method: method.name, opId: options.opId, status: res.status, ms }, 'vim call')
    }
    if (res.status === 200 || res.status === 500) {
      try {
        return decodeResponse(res.body, method.name, method.returns) as R
      } catch (err) {
        if (VimFault.is(err) || res.status === 200) throw err
        throw new VimProtocolError(`${method.name} failed with HTTP 500 and no readable SOAP fault`, { cause: err })
      }
    }
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      throw new VimUnreachable('http-status', this.http.endpoint, `${this.http.endpoint} answered HTTP ${res.status}`)
    }
    throw new VimProtocolError(`${method.name} got HTTP ${res.status} from ${this.http.endpoint}`)
  }
}
