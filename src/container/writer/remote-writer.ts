/**
 * A standby's way to the writer: each write the container service offers, sent to the writer's REST API as the
 * client sent it to the standby (same route, body, `Op-ID` and token), and the writer's answer turned back into
 * the result or the ContainerError it stood for, so the standby's faces answer with the same status and body.
 */
import { ContainerError, containerErrorKinds, type ContainerErrorKind } from '../errors.js'
import { retryLaterMessage } from './unavailable.js'
import type { AttachRequest, ContainerView, CreateRequest, OpContext, RemoveOptions, StopOptions } from '../types.js'

/** The error codes of the REST API that stand for a ContainerError of that kind. */
const kinds: ReadonlySet<string> = new Set(containerErrorKinds)

export class RemoteWriter {
  constructor(
    readonly address: string,
    private readonly token: string | undefined,
  ) {}

  async create(req: CreateRequest, op: OpContext): Promise<ContainerView> {
    return (await this.#send('POST', '/v1/containers', op, req)) as ContainerView
  }

  async inspect(ref: string, op: OpContext): Promise<ContainerView> {
    return (await this.#send('GET', `/v1/containers/${encodeURIComponent(ref)}`, op)) as ContainerView
  }

  async start(ref: string, op: OpContext): Promise<void> {
    await this.#send('POST', `/v1/containers/${encodeURIComponent(ref)}/start`, op)
  }

  async stop(ref: string, options: StopOptions, op: OpContext): Promise<void> {
    const query = options.timeout === undefined ? '' : `?timeout=${options.timeout}`
    await this.#send('POST', `/v1/containers/${encodeURIComponent(ref)}/stop${query}`, op)
  }

  async remove(ref: string, options: RemoveOptions, op: OpContext): Promise<void> {
    const query = options.force === undefined ? '' : `?force=${options.force}`
    await this.#send('DELETE', `/v1/containers/${encodeURIComponent(ref)}${query}`, op)
  }

  async rename(ref: string, newName: string, op: OpContext): Promise<void> {
    await this.#send('POST', `/v1/containers/${encodeURIComponent(ref)}/rename?name=${encodeURIComponent(newName)}`, op)
  }

  async attach(ref: string, request: AttachRequest, op: OpContext): Promise<void> {
    await this.#send('POST', `/v1/containers/${encodeURIComponent(ref)}/attach`, op, request)
  }

  async detach(ref: string, op: OpContext): Promise<void> {
    await this.#send('DELETE', `/v1/containers/${encodeURIComponent(ref)}/attach`, op)
  }

  async #send(method: string, path: string, op: OpContext, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { 'op-id': op.opId }
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    let res: Response
    try {
      res = await fetch(new URL(path, this.address), {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(op.signal ? { signal: op.signal } : {}),
      })
    } catch (err) {
      throw new ContainerError('vsphere_unavailable', retryLaterMessage(`the namespace's writer at ${this.address} cannot be reached`), {
        cause: err,
      })
    }
    const text = await res.text()
    if (res.ok) return text === '' ? undefined : (JSON.parse(text) as unknown)
    let answer: { code?: unknown; message?: unknown } = {}
    try {
      answer = JSON.parse(text) as typeof answer
    } catch {
      // not the API's error body: said below with the status
    }
    const code = typeof answer.code === 'string' ? answer.code : ''
    const message = typeof answer.message === 'string' ? answer.message : `the writer answered HTTP ${res.status}`
    if (kinds.has(code)) throw new ContainerError(code as ContainerErrorKind, message)
    if (res.status === 503) throw new ContainerError('vsphere_unavailable', message)
    throw new Error(`the namespace's writer at ${this.address} answered ${method} ${path} with HTTP ${res.status} ${code}: ${message}`)
  }
}
