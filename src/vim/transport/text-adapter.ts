/**
 * A lean axios adapter for SOAP: one `http(s).request` on the client's keep-alive agent, the answer collected as
 * UTF-8 text. axios's built-in Node adapter sets up streams, transforms, redirects and proxy handling for every
 * request; a SOAP call needs none of that, and the benchmark showed the built-in adapter costing about as much
 * CPU as vcsim's whole round trip. axios still does everything else (config, headers, status validation), and
 * streamed transfers (datastore files) keep using the built-in adapter.
 *
 * Errors are the socket's own (`ECONNRESET`, `ECONNREFUSED`, …, and `ETIMEDOUT` when the whole exchange takes
 * longer than `config.timeout`), which the transport maps to VimUnreachable; the caller's abort rejects with the
 * signal's reason.
 */

import http from 'node:http'
import https from 'node:https'
import { AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios'

interface Target {
  readonly secure: boolean
  readonly hostname: string
  readonly port: string
  readonly path: string
}

// Every SOAP call goes to the same URL, which was parsed twice per call (by URL, then again inside
// http.request); it is now parsed when it changes. One entry only, so varying datastore file URLs cannot grow it.
// The URLs here never carry credentials (connect strips them), so no `auth` option is needed.
let lastUrl: string | undefined
let lastTarget: Target | undefined

function target(config: InternalAxiosRequestConfig): Target {
  const href = config.baseURL === undefined ? (config.url ?? '') : `${config.baseURL} ${config.url ?? ''}`
  if (href === lastUrl && lastTarget) return lastTarget
  const url = new URL(config.url ?? '', config.baseURL)
  lastTarget = {
    secure: url.protocol === 'https:',
    // http.request wants an IPv6 literal without its brackets
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port,
    path: url.pathname + url.search,
  }
  lastUrl = href
  return lastTarget
}

export function textAdapter(config: InternalAxiosRequestConfig): Promise<AxiosResponse<string>> {
  return new Promise((resolve, reject) => {
    const { secure, hostname, port, path } = target(config)
    const body = config.data as string | Buffer | undefined
    const headers = AxiosHeaders.from(config.headers).toJSON() as Record<string, string>
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body))
    const signal = config.signal as AbortSignal | undefined
    const options: http.RequestOptions = {
      protocol: secure ? 'https:' : 'http:',
      hostname,
      ...(port !== '' ? { port } : {}),
      path,
      method: (config.method ?? 'get').toUpperCase(),
      headers,
      agent: secure ? config.httpsAgent : config.httpAgent,
    }
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const settle = (): boolean => {
      if (settled) return false
      settled = true
      if (timer) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      return true
    }
    const fail = (err: unknown): void => {
      if (settle()) reject(err)
    }
    const req = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', fail)
      res.on('end', () => {
        if (!settle()) return
        resolve({
          data: Buffer.concat(chunks).toString('utf8'),
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: new AxiosHeaders(res.headers as Record<string, string>),
          config,
          request: req,
        })
      })
    })
    const onAbort = (): void => {
      req.destroy()
      fail(signal?.reason)
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    if (config.timeout) {
      // wall clock from the start, so a connect that never completes is covered too
      timer = setTimeout(() => {
        req.destroy(Object.assign(new Error(`no answer within ${config.timeout} ms`), { code: 'ETIMEDOUT' }))
      }, config.timeout)
    }
    req.on('error', fail)
    req.end(body)
  })
}
