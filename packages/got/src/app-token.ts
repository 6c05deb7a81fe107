import type { AppTokenOptions, TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer, isReplayableBody, type Authorization } from '@apptoken/core/adapter'
import type { GotAppTokenExtension, GotRequestOptions } from './got-types.js'
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

  return {
    // A fresh state per call, keeping its `prefixUrl` (got 14 empties it before hooks run). A
    // cached token is set here, once per call: no `beforeRequest` hook, whose every call got wraps
    // in a state snapshot and an `await` (about 3 % of a request). Without one, `attach` waits.
    handlers: [
      (request, next) => {
        const state = new RequestState(request.prefixUrl || RequestState.of(request).baseUrl)
        request.context[CONTEXT_KEY] = state
        // No token yet, or `beforeRequest` hooks of the caller's that may change the URL: `attach`
        // decides after them (the common case, no such hooks, pays for no hook at all).
        if (!setReady(request, state) || request.hooks.beforeRequest.length > 0) attachOnSend(request)
        return next(request)
      },
    ],
    hooks: {
      // Every redirect hop and retry is decided again, as a first send is: its `beforeRequest`
      // runs `attach` (a `beforeRetry` hook of the caller's may have changed the URL).
      beforeRedirect: [attachOnSend],
      beforeRetry: [(error) => error.options && attachOnSend(error.options)],
      afterResponse: [
        (response, retryWithMergedOptions) => {
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
        },
      ],
    },
  }
}
