/**
 * The logged-in session, as a round tripper around the transport: log in, keep the session alive while idle,
 * log in again when vSphere says `NotAuthenticated`, log out on close.
 *
 * Re-login is single-flight: every caller that meets NotAuthenticated while a login is under way waits for that
 * same login, and a caller whose failure predates a login that has since completed just sends again. Only
 * idempotent calls are sent again, and creations of session-scoped objects (views, collectors, filters: the
 * lost session took the old ones with it); a change to the inventory (`*_Task`, MakeDirectory) fails with a
 * fault that says the session has been renewed, so the caller decides. The cookie is dropped before logging in because vSphere
 * (vcsim at least) refuses Login while a valid cookie is sent.
 *
 * The password lives in a private field only; it is never logged, never put in an error, and the log lines here
 * carry the user name at most.
 */

import type { Logger } from 'pino'
import { VimClientClosed } from './errors.js'
import { describeError } from './logging.js'
import { VimFault, isFault } from './fault.js'
import { currentTime, login, logout } from './methods.js'
import type { MoRef } from './moref.js'
import type { CallOptions, MethodSpec, RoundTripper } from './round-tripper.js'
import type { HttpTransport } from './transport/http.js'
import type { UserSession } from './types.js'

export interface SessionOptions {
  readonly username: string
  readonly password: string
  /** Send a keepalive after this long without a call; 0 turns keepalive off. */
  readonly keepAliveMs: number
  readonly log: Logger
}

export class Session implements RoundTripper {
  readonly #username: string
  readonly #password: string
  readonly #keepAliveMs: number
  readonly #log: Logger
  #generation = 0
  #login: Promise<UserSession> | undefined
  #user: UserSession | undefined
  #lastUsed = 0
  #timer: NodeJS.Timeout | undefined
  #closed = false

  constructor(
    private readonly inner: RoundTripper,
    private readonly http: HttpTransport,
    private readonly sessionManager: MoRef<'SessionManager'>,
    options: SessionOptions,
  ) {
    this.#username = options.username
    this.#password = options.password
    this.#keepAliveMs = options.keepAliveMs
    this.#log = options.log
  }

  /** How many logins this session has done (1 after connect; more after expiries). */
  get generation(): number {
    return this.#generation
  }

  get user(): UserSession | undefined {
    return this.#user
  }

  /** Logs in (again): concurrent callers share one login. */
  login(options?: CallOptions): Promise<UserSession> {
    if (this.#closed) return Promise.reject(new VimClientClosed())
    this.#login ??= this.#doLogin(options).finally(() => {
      this.#login = undefined
    })
    return this.#login
  }

  async #doLogin(options?: CallOptions): Promise<UserSession> {
    this.http.clearSession()
    // not tied to the first caller's signal: other callers wait for this login too
    const call = options?.opId ? { opId: options.opId } : {}
    const user = await login(this.inner, this.sessionManager, this.#username, this.#password, call)
    this.#user = user
    this.#generation++
    this.#lastUsed = Date.now()
    this.#log.info({ user: this.#username, generation: this.#generation }, 'logged in to vSphere')
    this.#startKeepAlive()
    return user
  }

  /** Logs in again unless a login newer than `seen` already happened. */
  async renew(seen: number, options?: CallOptions): Promise<void> {
    if (this.#generation !== seen) return
    await this.login(options)
  }

  async roundTrip<A, R>(method: MethodSpec<A, R>, args: A, options?: CallOptions): Promise<R> {
    if (this.#closed && method.name !== 'Logout') throw new VimClientClosed()
    if (this.#login) await this.#login
    const seen = this.#generation
    try {
      return await this.#attempt(method, args, options)
    } catch (err) {
      if (!isFault(err, 'NotAuthenticated') || this.#closed) throw err
      this.#log.info({ method: method.name, opId: options?.opId }, 'vSphere session expired; logging in again')
      await this.renew(seen, options)
      if (!method.idempotent && !method.sessionScoped) {
        throw new VimFault(
          'NotAuthenticated',
          `the vSphere session had expired and has been renewed; ${method.name} is not sent twice automatically, retry it`,
          (err as VimFault).fields,
          { faultCause: err as VimFault },
        )
      }
      return this.#attempt(method, args, options)
    }
  }

  async #attempt<A, R>(method: MethodSpec<A, R>, args: A, options?: CallOptions): Promise<R> {
    const result = await this.inner.roundTrip(method, args, options)
    this.#lastUsed = Date.now()
    return result
  }

  #startKeepAlive(): void {
    if (this.#keepAliveMs <= 0 || this.#timer) return
    // checks at a finer grain than the interval so an idle session is pinged within ~1.25 × keepAliveMs
    const tick = Math.max(50, Math.floor(this.#keepAliveMs / 4))
    this.#timer = setInterval(() => void this.#keepAlive(), tick)
    this.#timer.unref()
  }

  async #keepAlive(): Promise<void> {
    if (this.#closed || this.#login || Date.now() - this.#lastUsed < this.#keepAliveMs) return
    this.#lastUsed = Date.now()
    try {
      await currentTime(this, { opId: 'keepalive' })
    } catch (err) {
      this.#log.warn({ err: describeError(err) }, 'vSphere keepalive failed')
    }
  }

  /** Stops the keepalive and logs out. Calls made afterwards fail with VimClientClosed. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
    if (!this.http.hasSession) return
    try {
      await logout(this.inner, this.sessionManager, { opId: 'logout', timeoutMs: 5_000 })
      this.#log.info({ user: this.#username }, 'logged out of vSphere')
    } catch (err) {
      this.#log.warn({ err: describeError(err) }, 'vSphere logout failed')
    } finally {
      this.http.clearSession()
    }
  }
}
