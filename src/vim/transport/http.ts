/**
 * HTTP to one vSphere endpoint: axios over the keep-alive agent, the `vmware_soap_session` cookie (axios on Node
 * has no cookie jar), a bound on concurrent requests, a per-request timeout and the caller's AbortSignal.
 * Connection-level failures become `VimUnreachable`, so the service can answer 503; the caller's own abort stays
 * an abort. Both SOAP and the datastore `/folder` interface use this one transport, so they share the session
 * and the TLS trust.
 *
 * Neither the cookie nor a request body appears in an error or a log line: axios errors carry the request
 * config (headers, a Login body), so they are never rethrown or attached as a cause; only the socket error is.
 */

import type http from 'node:http'
import axios, { type AxiosInstance, type AxiosResponse, type ResponseType } from 'axios'
import pLimit, { type LimitFunction } from 'p-limit'
import { VimUnreachable, type UnreachableReason } from '../errors.js'
import { createAgent, type TlsOptions } from './agent.js'
import { textAdapter } from './text-adapter.js'

export const sessionCookieName = 'vmware_soap_session'

export interface HttpTransportOptions {
  /** The SDK URL without credentials, e.g. https://vc.example.com/sdk. */
  readonly url: URL
  readonly tls: TlsOptions
  /** Requests in flight at once, long polls excepted. */
  readonly maxConcurrent: number
  readonly timeoutMs: number
  readonly userAgent: string
}

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST'
  /** Absolute URL on the same endpoint. */
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Buffer | NodeJS.ReadableStream
  readonly responseType?: Extract<ResponseType, 'text' | 'stream'>
  readonly signal?: AbortSignal
  readonly timeoutMs?: number
  /** Not counted against the concurrency bound (a long poll must not starve other calls). */
  readonly unbounded?: boolean
}

export interface HttpResponse<T> {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: T
}

export class HttpTransport {
  readonly url: URL
  /** scheme://host:port, safe to print (never holds credentials). */
  readonly endpoint: string
  readonly agent: http.Agent
  readonly #axios: AxiosInstance
  readonly #axiosText: AxiosInstance
  readonly #limit: LimitFunction
  readonly #timeoutMs: number
  #cookie: string | undefined
  #requests = 0

  constructor(options: HttpTransportOptions) {
    this.url = options.url
    this.endpoint = options.url.origin
    this.#timeoutMs = options.timeoutMs
    this.#limit = pLimit(options.maxConcurrent)
    // the bound is the limiter above; the pool itself is unbounded so that long polls (which bypass the
    // limiter and hold a socket for up to a minute) can never make an ordinary call wait for a socket
    this.agent = createAgent(options.url, options.tls)
    const defaults = {
      httpAgent: this.agent,
      httpsAgent: this.agent,
      proxy: false as const,
      maxRedirects: 0,
      decompress: true,
      maxContentLength: -1,
      maxBodyLength: -1,
      validateStatus: () => true,
      transformResponse: [(data: unknown) => data],
      // a timeout is reported as ETIMEDOUT, not as the ECONNABORTED of a dropped connection
      transitional: { clarifyTimeoutError: true },
      headers: { 'User-Agent': options.userAgent },
    }
    // streams (datastore files) through axios's own Node adapter, text (SOAP) through the lean one
    this.#axios = axios.create(defaults)
    this.#axiosText = leanTextClient(this.agent, options.userAgent)
  }

  /** Whether a session cookie is held (without revealing it). */
  get hasSession(): boolean {
    return this.#cookie !== undefined
  }

  /** Requests sent since the transport was made (for benchmarks and tests). */
  get requestCount(): number {
    return this.#requests
  }

  /** Forget the session cookie: vSphere refuses Login while a valid one is sent. */
  clearSession(): void {
    this.#cookie = undefined
  }

  async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    req.signal?.throwIfAborted()
    if (req.unbounded) return this.#send<T>(req)
    const queued = this.#limit(() => {
      if (req.signal?.aborted) throw req.signal.reason
      return this.#send<T>(req)
    })
    return req.signal ? raceAbort(queued, req.signal) : queued
  }

  async #send<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const timeoutMs = req.timeoutMs ?? this.#timeoutMs
    const headers: Record<string, string> = { ...req.headers }
    if (this.#cookie !== undefined) headers['Cookie'] = `${sessionCookieName}=${this.#cookie}`
    this.#requests++
    let res: AxiosResponse<T>
    try {
      // axios's own timeout (no answer within timeoutMs) costs less per call than a timer and a controller
      const streamBody = req.body !== undefined && typeof req.body !== 'string' && !Buffer.isBuffer(req.body)
      const streamed = req.responseType === 'stream' || streamBody
      const client = streamed ? this.#axios : this.#axiosText
      res = await client.request<T>({
        method: req.method,
        url: req.url,
        headers,
        data: req.body,
        responseType: req.responseType ?? 'text',
        timeout: timeoutMs,
        ...(req.signal ? { signal: req.signal } : {}),
      })
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason
      const unreachable = this.#unreachable(err)
      if (unreachable instanceof VimUnreachable && unreachable.reason === 'timeout') {
        throw new VimUnreachable('timeout', this.endpoint, `${this.endpoint} did not answer within ${timeoutMs} ms`)
      }
      throw unreachable
    }
    this.#keepCookie(res.headers['set-cookie'])
    // most callers (every SOAP call) only read the status and the body; only the headers are kept, not the
    // axios response, whose config holds the request body and the cookie
    const raw = res.headers
    let flat: Record<string, string | undefined> | undefined
    return {
      status: res.status,
      get headers() {
        return (flat ??= flattenHeaders(raw))
      },
      body: res.data,
    }
  }

  #keepCookie(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      if (!line.startsWith(`${sessionCookieName}=`)) continue
      const end = line.indexOf(';')
      this.#cookie = line.slice(sessionCookieName.length + 1, end === -1 ? undefined : end)
    }
  }

  #unreachable(err: unknown): Error {
    // our agent's certificate refusal arrives as is, or inside axios's error
    if (err instanceof VimUnreachable) return err
    const cause = (err as { cause?: unknown }).cause
    if (cause instanceof VimUnreachable) return cause
    const code = String((err as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code ?? '')
    const reason = reasons[code] ?? 'reset'
    const detail = code || (err instanceof Error ? err.message : String(err))
    const socketError = cause instanceof Error ? cause : undefined
    return new VimUnreachable(reason, this.endpoint, `cannot reach ${this.endpoint} (${detail})`, { cause: socketError })
  }

  /** Closes idle keep-alive sockets; requests in flight finish. */
  close(): void {
    this.agent.destroy()
  }
}

const reasons: Record<string, UnreachableReason> = {
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  ERR_SOCKET_CLOSED: 'reset',
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EPROTO: 'tls',
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls',
}

function flattenHeaders(headers: AxiosResponse['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (name === 'set-cookie') continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value == null ? undefined : String(value)
  }
  return out
}

/**
 * The axios instance for SOAP and other text transfers, configured with what the text adapter reads and nothing
 * else. axios merges its instance defaults into every request, deep-copying each nested object; with the stock
 * defaults that merge cost more than the rest of axios's request handling together. So: no request transform
 * (a body here is a string or a Buffer, which the stock transform passes through after a dozen type checks), the
 * default headers stored flat instead of in per-method groups (the same headers are sent), and the defaults that
 * only axios's own Node adapter or a browser reads (redirects, proxy, size limits, XSRF, transitional flags, the
 * FormData environment) removed.
 */
function leanTextClient(agent: http.Agent, userAgent: string): AxiosInstance {
  const client = axios.create({
    httpAgent: agent,
    httpsAgent: agent,
    adapter: textAdapter,
    validateStatus: () => true,
    transformRequest: [],
    transformResponse: [(data: unknown) => data],
    headers: { 'User-Agent': userAgent },
  })
  client.defaults.headers = flatDefaultHeaders(client.defaults.headers) as typeof client.defaults.headers
  for (const key of ['transitional', 'env', 'xsrfCookieName', 'xsrfHeaderName', 'maxContentLength', 'maxBodyLength']) {
    Reflect.deleteProperty(client.defaults, key)
  }
  return client
}

/**
 * axios's default headers as one flat record: its `common` group, then our own. The per-method groups are empty
 * (nothing is configured per method), and a group is an object where a header is a string, which tells them apart.
 */
function flatDefaultHeaders(grouped: object): Record<string, string> {
  const flat: Record<string, string> = {}
  const addStrings = (group: unknown): void => {
    for (const [name, value] of Object.entries((group ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'string') flat[name] = value
    }
  }
  addStrings((grouped as { common?: unknown }).common)
  addStrings(grouped)
  return flat
}

/** Rejects as soon as `signal` aborts, even while the work is still queued. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}
