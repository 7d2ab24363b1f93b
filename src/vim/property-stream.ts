/**
 * The pages of a large retrieval read object by object as each answer arrives (RetrievePropertiesEx, then
 * ContinueRetrievePropertiesEx until no token is left; CancelRetrievePropertiesEx when the reader stops early),
 * for readers whose pages are too large to hold decoded: the migration job lists thousands of VMs with their whole
 * ExtraConfig, about 7 MB of XML a page of 500, whose decoded tree cost the job far more heap than the page
 * itself (retrieve-result-reader.ts). The caller's `each` turns every object into what it keeps, so a page holds
 * only that; `each` may see an object twice when a page is asked again after a lost connection.
 *
 * These two calls go to the HTTP transport themselves, because the round trippers decode a whole answer at once;
 * everything else is theirs: the same encoder, cookie, concurrency bound and timeouts, faults decoded as usual,
 * the retry layer's rules (retrievePropertiesEx may be sent again, a continuation only when it never left), and
 * the session's (an expired session is renewed; the first page is then asked again, a continuation cannot be,
 * since its token died with the old session). The cancel of an unread rest goes through the round trippers.
 */

import type { Readable } from 'node:stream'
import { decodeResponse } from './codec/decode.js'
import { encodeRequest } from './codec/encode.js'
import { VimClientClosed, VimProtocolError, VimUnreachable } from './errors.js'
import { isFault, VimFault } from './fault.js'
import { cancelRetrievePropertiesEx, ContinueRetrievePropertiesEx, RetrievePropertiesEx } from './methods.js'
import type { MoRef } from './moref.js'
import type { RetrieveOptions } from './property.js'
import { RetrieveResultReader } from './retrieve-result-reader.js'
import { isRetryable, withRetry, type RetryPolicy } from './retry.js'
import type { CallOptions, MethodSpec, RoundTripper } from './round-tripper.js'
import type { Session } from './session.js'
import type { HttpTransport } from './transport/http.js'
import type { ObjectContent, PropertyFilterSpec } from './types.js'

/** What the streamed calls share with the client's round trippers. */
export interface StreamingContext {
  readonly http: HttpTransport
  /** the vim25 version for SOAPAction, as the SOAP round tripper sends it */
  readonly apiVersion: () => string
  readonly session: Session
  /** the outermost round tripper, for the cancel */
  readonly rt: RoundTripper
  readonly retryPolicy: RetryPolicy
  readonly closed: () => boolean
}

interface StreamedPage<T> {
  readonly items: T[]
  readonly token: string | undefined
}

/**
 * Each page of the retrieval as the list of what `each` returned for its objects (undefined: nothing kept); a page
 * whose objects were all dropped is an empty list, so the caller can count pages. Stopping the iteration early
 * (break, throw) cancels what the server still holds.
 */
export async function* retrievePagesEach<T>(
  context: StreamingContext,
  collector: MoRef<'PropertyCollector'>,
  specSet: PropertyFilterSpec[],
  each: (content: ObjectContent) => T | undefined,
  options: RetrieveOptions = {},
): AsyncGenerator<T[], void, undefined> {
  const { maxObjects, ...call } = options
  const args = { _this: collector, specSet, options: maxObjects !== undefined ? { maxObjects } : {} }
  let page: StreamedPage<T> | undefined = await send(context, RetrievePropertiesEx, args, each, call)
  let token = page.token
  try {
    while (page) {
      const { items } = page
      // the page's objects are the caller's from here; this frame must not keep them while the next one arrives
      page = undefined
      yield items
      if (token === undefined) return
      call.signal?.throwIfAborted()
      page = await send(context, ContinueRetrievePropertiesEx, { _this: collector, token }, each, call)
      token = page.token
    }
  } finally {
    if (token !== undefined && !context.closed()) {
      // the reader stopped before the last page; best effort, the caller's error (if any) matters more
      const cancel = call.opId ? { opId: call.opId } : {}
      await cancelRetrievePropertiesEx(context.rt, collector, token, cancel).catch(() => undefined)
    }
  }
}

/** One call with the session's and the retry layer's rules. */
async function send<A, R, T>(
  context: StreamingContext,
  method: MethodSpec<A, R>,
  args: A,
  each: (content: ObjectContent) => T | undefined,
  call: CallOptions,
): Promise<StreamedPage<T>> {
  const attempt = (): Promise<StreamedPage<T>> => {
    if (context.closed()) throw new VimClientClosed()
    return withRetry(
      () => streamCall(context, method, args, each, call),
      (err) => isRetryable(err, method.idempotent),
      context.retryPolicy,
      call.signal,
    )
  }
  const seen = context.session.generation
  try {
    return await attempt()
  } catch (err) {
    if (!isFault(err, 'NotAuthenticated') || context.closed()) throw err
    await context.session.renew(seen, call.opId ? { opId: call.opId } : {})
    if (!method.idempotent) {
      throw new VimFault(
        'NotAuthenticated',
        `the vSphere session had expired and has been renewed; ${method.name} cannot be continued in the new ` +
          'session, start the retrieval again',
        (err as VimFault).fields,
        { faultCause: err as VimFault },
      )
    }
    return attempt()
  }
}

async function streamCall<A, R, T>(
  context: StreamingContext,
  method: MethodSpec<A, R>,
  args: A,
  each: (content: ObjectContent) => T | undefined,
  call: CallOptions,
): Promise<StreamedPage<T>> {
  const { http } = context
  const res = await http.request<Readable>({
    method: 'POST',
    url: http.url.href,
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `urn:vim25/${context.apiVersion()}` },
    body: encodeRequest(method, args as Record<string, unknown>, call.opId),
    responseType: 'stream',
    ...(call.signal ? { signal: call.signal } : {}),
    ...(call.timeoutMs !== undefined ? { timeoutMs: call.timeoutMs } : {}),
  })
  const body = res.body
  if (res.status === 502 || res.status === 503 || res.status === 504) {
    body.resume()
    throw new VimUnreachable('http-status', http.endpoint, `${http.endpoint} answered HTTP ${res.status}`)
  }
  if (res.status === 500) {
    // HTTP 500 is how vSphere sends a fault, and a fault is small: decoded whole, it throws
    decodeResponse(await readText(context, body, method, call), method.name, undefined)
    throw new VimProtocolError(`${method.name} failed with HTTP 500 and no readable SOAP fault`)
  }
  if (res.status !== 200) {
    body.resume()
    throw new VimProtocolError(`${method.name} got HTTP ${res.status} from ${http.endpoint}`)
  }

  const items: T[] = []
  const reader = new RetrieveResultReader(method.name, (content) => {
    const item = each(content)
    if (item !== undefined) items.push(item)
  })
  // a fault or the caller's error from `each` leaves the reader as it is; the socket's errors are the transport's
  await readChunks(context, body, method, call, (chunk) => reader.push(chunk))
  const end = reader.end()
  return { items, token: end.token }
}

/** Feeds the answer's text to `use` as it arrives; the answer is dropped when `use` throws. */
async function readChunks(
  context: StreamingContext,
  body: Readable,
  method: { readonly name: string },
  call: CallOptions,
  use: (chunk: string) => void,
): Promise<void> {
  body.setEncoding('utf8')
  const chunks = body[Symbol.asyncIterator]()
  try {
    for (;;) {
      let next: IteratorResult<unknown>
      try {
        next = await chunks.next()
      } catch (err) {
        if (call.signal?.aborted) throw call.signal.reason
        const { endpoint } = context.http
        const message = `${endpoint} broke off its answer to ${method.name}`
        throw new VimUnreachable('reset', endpoint, message, { cause: err })
      }
      if (next.done) return
      use(next.value as string)
    }
  } finally {
    body.destroy()
  }
}

async function readText(
  context: StreamingContext,
  body: Readable,
  method: { readonly name: string },
  call: CallOptions,
): Promise<string> {
  let text = ''
  await readChunks(context, body, method, call, (chunk) => (text += chunk))
  return text
}
