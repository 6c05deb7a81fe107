import { isReplayableBody, setAuthorization } from '@apptoken/core/adapter'
import type { Authorization, HeadersLike, RequestAuthorizer } from '@apptoken/core/adapter'
import type { Dispatch, DispatchController, DispatchHandler, DispatchOptions } from './dispatch-types.js'
import { StableController } from './stable-controller.js'

type Headers = Record<string, string | string[] | undefined>

/** A 401 held back while deciding whether to retry; bounded so a large body cannot pile up. */
interface Held {
  statusCode: number
  headers: Headers
  statusMessage: string | undefined
  chunks: Buffer[]
  size: number
  decision: Promise<Authorization | undefined>
}

const MAX_HELD_BYTES = 64 * 1024

/**
 * Sends one request to an allowed origin with the app token, and on a 401 re-sends it once
 * with the token `onUnauthorized` gives. The caller's handler sees one exchange: the swallowed
 * 401 never reaches it, unless no retry happens, in which case it gets that 401 as it came.
 */
export class AuthHandler implements DispatchHandler {
  /** Made on first need (a wait for a token, a 401): a request that gets neither never pays for them. */
  #wait: AbortController | undefined
  #waitSignal: AbortSignal | undefined
  readonly #controller = new StableController((reason) => this.#waiting().abort(reason))
  #started = false
  /** Request starts seen for the attempt on the wire: more than one means an inner interceptor redirected or re-sent it. */
  #starts = 0
  #retried = false
  #auth: Authorization | undefined
  #held: Held | undefined

  constructor(
    private readonly dispatch: Dispatch,
    private readonly options: DispatchOptions,
    private readonly handler: DispatchHandler,
    private readonly authorizer: RequestAuthorizer,
    private readonly url: string,
  ) {}

  #waiting(): AbortController {
    return (this.#wait ??= new AbortController())
  }

  /** Cancels the waits for a token: the caller's `signal`, or an abort through the controller. */
  get #signal(): AbortSignal {
    if (this.#waitSignal === undefined) {
      const own = this.#waiting().signal
      const signal = this.options.signal
      this.#waitSignal = signal instanceof AbortSignal ? AbortSignal.any([own, signal]) : own
    }
    return this.#waitSignal
  }

  /** Gets the token, then sends. */
  start(): void {
    this.authorizer.authorize(this.url, this.#signal, undefined, this.options.method ?? 'GET').then(
      (auth) => void this.send(auth),
      (error: unknown) => this.#fail(error),
    )
  }

  /** Sends with `auth` (at once when the token was ready); returns what undici's dispatch returned. */
  send(auth: Authorization | undefined): boolean {
    this.#auth = auth
    this.#starts = 0
    try {
      if (auth === undefined) return this.dispatch(this.options, this)
      // Any form undici takes, copied: the caller's own `Headers` is never changed.
      const given = this.options.headers as HeadersLike | undefined
      const headers = setAuthorization(
        given instanceof Headers ? given.entries() : given,
        auth.header,
        auth.headers,
      )
      return this.dispatch({ ...this.options, headers }, this)
    } catch (error) {
      this.#fail(error)
      return true
    }
  }

  #fail(error: unknown): void {
    const reason: unknown = this.#signal.aborted ? this.#signal.reason : error
    this.handler.onResponseError?.(
      this.#controller,
      reason instanceof Error ? reason : new Error(String(reason)),
    )
  }

  /** The decision on a held 401, once its body has arrived: re-send once, or hand it over. */
  async #settle(decision: Promise<Authorization | undefined>, trailers: Headers): Promise<void> {
    let next: Authorization | undefined
    try {
      next = await decision
    } catch (error) {
      this.#held = undefined
      return this.#fail(error)
    }
    if (next === undefined) {
      this.#release()
      return this.handler.onResponseEnd?.(this.#controller, trailers)
    }
    this.#held = undefined
    this.#retried = true
    void this.send(next)
  }

  /** Hands the held 401 to the caller after all. */
  #release(): void {
    const held = this.#held!
    this.#held = undefined
    this.handler.onResponseStart?.(this.#controller, held.statusCode, held.headers, held.statusMessage)
    for (const chunk of held.chunks) this.handler.onResponseData?.(this.#controller, chunk)
  }

  onRequestStart(controller: DispatchController, context: unknown): void {
    this.#controller.attach(controller)
    // undici's redirect interceptor hands its hops here; each re-dispatch starts a request again.
    const history = (context as { history?: unknown } | null | undefined)?.history
    this.#starts += Array.isArray(history) && history.length > 0 ? 2 : 1
    if (this.#started) return
    this.#started = true
    this.handler.onRequestStart?.(this.#controller, context)
  }

  onRequestUpgrade(
    _controller: DispatchController,
    statusCode: number,
    headers: Headers,
    socket: unknown,
  ): void {
    this.handler.onRequestUpgrade?.(this.#controller, statusCode, headers, socket)
  }

  onResponseStart(
    _controller: DispatchController,
    statusCode: number,
    headers: Headers,
    statusMessage?: string,
  ): void {
    if (!this.authorizer.handles(statusCode))
      return this.handler.onResponseStart?.(this.#controller, statusCode, headers, statusMessage)
    const decision = this.authorizer.onResponse({
      // After an inner redirect (or re-send) the answer may come from elsewhere: unknown, no refresh.
      url: this.#starts === 1 ? this.url : undefined,
      status: statusCode,
      wwwAuthenticate: headers['www-authenticate'],
      sent: this.#auth,
      replayable: isReplayableBody(this.options.body),
      retried: this.#retried,
      signal: this.#signal,
      method: this.options.method ?? 'GET',
      dpopNonce: headers['dpop-nonce'],
    })
    // Held until decided (an unreplayable body is never re-sent, but the refresh finishes first).
    if (decision !== undefined) {
      this.#held = { statusCode, headers, statusMessage, chunks: [], size: 0, decision }
      return
    }
    this.handler.onResponseStart?.(this.#controller, statusCode, headers, statusMessage)
  }

  onResponseData(_controller: DispatchController, chunk: Buffer): void {
    const held = this.#held
    if (held === undefined) return this.handler.onResponseData?.(this.#controller, chunk)
    held.chunks.push(chunk)
    held.size += chunk.length
    if (held.size > MAX_HELD_BYTES) {
      held.decision.catch(() => undefined) // too large to hold for a re-send: the caller gets it
      this.#release()
    }
  }

  onResponseEnd(_controller: DispatchController, trailers: Headers): void {
    if (this.#held !== undefined) return void this.#settle(this.#held.decision, trailers)
    this.handler.onResponseEnd?.(this.#controller, trailers)
  }

  onResponseError(_controller: DispatchController, error: Error): void {
    this.#held = undefined
    this.handler.onResponseError?.(this.#controller, error)
  }

  onResponseStarted(): void {
    this.handler.onResponseStarted?.()
  }

  onRequestSent(): void {
    this.handler.onRequestSent?.()
  }

  onBodySent(chunk: unknown): void {
    this.handler.onBodySent?.(chunk)
  }
}
