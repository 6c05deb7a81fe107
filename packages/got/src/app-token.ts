import type { AppTokenOptions, TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer, isReplayableBody, type Authorization } from '@apptoken/core/adapter'
import type { GotAppTokenExtension, GotRequestOptions, GotResponse, GotRetryOptions } from './got-types.js'
import { CONTEXT_KEY, RequestState } from './request-state.js'

/**
 * Options of {@link appToken}: `scopes`, and where the token may go: `origins`, by default the
 * origin of got's `prefixUrl` for each request.
 * @example `const options: GotAppTokenOptions = { scopes: 'api://my-api/.default' }`
 */
export interface GotAppTokenOptions extends AppTokenOptions {
  /** @deprecated Unnecessary: apptoken reads got's `prefixUrl` from each request. Removed in the next minor. */
  prefixUrl?: string | URL
}

/**
 * got options that attach an app token to requests for got's `prefixUrl` (or `origins`), checked
 * on every hop, and re-send a 401 from there once with a refreshed token (`retryWithMergedOptions`).
 * got 14, 15 and 16, in either `extend` order.
 * @example `const api = got.extend({ prefixUrl: 'https://api.contoso.com' }, appToken(provider, { scopes }))`
 */
export function appToken(provider: TokenProvider, options: GotAppTokenOptions): GotAppTokenExtension {
  const context = { adapter: 'got', baseUrlOption: 'prefixUrl', baseUrlPerRequest: true }
  const auth = createRequestAuthorizer(provider, options, { ...context, baseUrl: options?.prefixUrl })

  /** Sets this hop's headers: `sent` on the first send, else the state's own when still allowed. */
  const setHeaders = (
    request: GotRequestOptions,
    state: RequestState,
    first: boolean,
    sent?: Authorization,
  ) => {
    const { url = '', headers } = request
    const ours = state.sent?.header
    if (first) state.sent = sent
    if ((first || auth.isAllowed(url, state.baseUrl)) && state.sent) {
      headers.authorization = state.sent.header
      if (state.sent.headers !== undefined) Object.assign(headers, state.sent.headers) // a DPoP proof
    }
    // Not for this hop: remove our own header only, one the caller set is theirs.
    else if (ours !== undefined && headers.authorization === ours) {
      delete headers.authorization
      delete headers.dpop
    }
  }

  /** Sets a cached token for this hop, if there is one; `false` when `attach` must wait for it. */
  const setReady = (request: GotRequestOptions, state: RequestState): boolean => {
    const ready = auth.authorizeNow(request.url ?? '', request.signal, state.baseUrl, request.method)
    if (ready !== undefined) setHeaders(request, state, true, ready)
    return ready !== undefined
  }
  /** Sets the header for this hop, after waiting for a token if none is cached (a `beforeRequest` hook). */
  const attach = (request: GotRequestOptions) => {
    const state = (request.context[CONTEXT_KEY] = RequestState.of(request))
    if (state.retried) return setHeaders(request, state, false)
    if (setReady(request, state)) return
    const { url = '', signal, method } = request
    return auth
      .authorize(url, signal, state.baseUrl, method)
      .then((sent) => setHeaders(request, state, true, sent))
  }
  /** Runs `attach` on this request's next send: got copies hooks per request, so the instance's stay as they are. */
  const attachOnSend = (request: GotRequestOptions) => {
    if (!request.hooks.beforeRequest.includes(attach)) request.hooks.beforeRequest.push(attach)
  }

  /** Re-sends a 401 from an allowed origin once with a refreshed token (an `afterResponse` hook). */
  const retryOn401 = (response: GotResponse, retryWithMergedOptions: (options: GotRetryOptions) => never) => {
    // Only a 401 can make core refresh or re-send: every other answer goes on untouched.
    if (!auth.handles(response.statusCode)) return response
    const request = response.request.options
    const state = RequestState.of(request)
    const facts = {
      url: response.url, // the URL that answered, after redirects
      status: response.statusCode,
      wwwAuthenticate: response.headers['www-authenticate'],
      sent: state.sent,
      replayable: isReplayableBody(request.body),
      retried: state.retried,
      signal: request.signal,
      method: request.method,
      dpopNonce: response.headers['dpop-nonce'],
    }
    return (
      auth.onResponse(facts, state.baseUrl)?.then((retry) => {
        if (retry === undefined) return response
        const next = new RequestState(state.baseUrl, retry, true)
        const merged = {
          headers: { authorization: retry.header, ...retry.headers },
          context: { [CONTEXT_KEY]: next },
        }
        return retryWithMergedOptions(merged)
      }) ?? response
    )
  }
  /** Adds `retryOn401` to this request's own `afterResponse` hooks (got copies them per request and per retry). */
  const handleResponse = (request: GotRequestOptions) => {
    const hooks = request.hooks.afterResponse
    if (!hooks.includes(retryOn401)) hooks.push(retryOn401)
  }

  return {
    // A fresh state per call, keeping its `prefixUrl` (got 14 empties it before hooks run). A
    // cached token is set here, once per call: no `beforeRequest` hook, whose every call got wraps
    // in a state snapshot and an `await` (about 3 % of a request). Without one, `attach` waits.
    handlers: [
      (request, next) => {
        const state = new RequestState(request.prefixUrl || RequestState.baseUrlOf(request))
        request.context[CONTEXT_KEY] = state
        // No token yet, or `beforeRequest` hooks of the caller's that may change the URL: `attach`
        // decides after them (the common case, no such hooks, pays for no hook at all).
        if (!setReady(request, state) || request.hooks.beforeRequest.length > 0) attachOnSend(request)
        const sent = next(request) as
          { on?: (event: 'request', listener: (raw: RawRequest) => void) => void } | undefined
        // `afterResponse` costs got the same, hook or not: `retryOn401` joins this request's hooks
        // only when a 401 arrives, on the socket's response, before got has read the body and run
        // them (a 401 is never cached). A retry of got's has it from `beforeRetry` on. No hooks run for a stream.
        if (request.isStream) return sent as never
        if (typeof sent?.on !== 'function') handleResponse(request)
        else {
          // `on`, not `once`: a socket request answers once, and `once` allocates a wrapper per call.
          const onResponse = (res: { statusCode?: number | undefined }) =>
            auth.handles(res.statusCode ?? 0) && handleResponse(request)
          sent.on('request', (raw) => raw.on('response', onResponse))
        }
        return sent as never
      },
    ],
    hooks: {
      // Every redirect hop and retry is decided again, as a first send is: its `beforeRequest`
      // runs `attach` (a `beforeRetry` hook of the caller's may have changed the URL). A retry
      // of got's (or after `retryWithMergedOptions`) is a new request, with `retryOn401` from the start.
      beforeRedirect: [attachOnSend],
      beforeRetry: [
        ({ options }) => {
          if (options === undefined) return
          attachOnSend(options)
          handleResponse(options)
        },
      ],
    },
  }
}

/** The socket-level request got emits as `request`, whose `response` comes before got reads the body. */
interface RawRequest {
  on(event: 'response', listener: (response: { statusCode?: number | undefined }) => void): unknown
}
