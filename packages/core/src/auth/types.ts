import type { TokenParams } from '../token-params.js'

/**
 * Options every adapter takes.
 *
 * @example
 * ```ts
 * const options: AppTokenOptions = {
 *   scopes: 'api://orders-api/.default',
 *   origins: ['https://orders.contoso.com', 'https://billing.contoso.com'],
 *   scopesFor: (url) => (url.hostname === 'billing.contoso.com' ? 'api://billing-api/.default' : undefined),
 * }
 * ```
 */
export interface AppTokenOptions {
  /** The token's scope: one resource + `/.default` for Entra, e.g. `api://my-api/.default`. */
  scopes: string | readonly string[]
  /** Origins that may receive the token. Default: the client's base URL. */
  origins?: readonly (string | URL)[]
  /** Tenant for these requests (multi-tenant daemons). */
  tenantId?: string
  /**
   * Extra token-request parameters for this client's tokens (e.g. `{ audience }` when one daemon
   * calls several APIs of an Auth0 tenant); they replace the provider's `tokenParams` of the same name.
   */
  params?: TokenParams
  /** Choose scopes per request (several APIs behind one client); `undefined` means `scopes`. */
  scopesFor?: (url: URL) => string | readonly string[] | undefined
}

/**
 * Where an adapter's default origin comes from.
 *
 * @example
 * ```ts
 * // got and ky read the base URL from each request's options, so it is not known at attach time:
 * const auth = createRequestAuthorizer(provider, options, { adapter: 'got', baseUrlPerRequest: true })
 * ```
 */
export interface AuthorizerContext {
  /** The client's base URL, when the adapter can see it at attach time. */
  baseUrl?: string | URL | undefined
  /**
   * The adapter passes the base URL its client sees with each request (got `prefixUrl`, ky
   * `prefix`/`baseUrl`), so a missing base URL is reported on the first request, before it is sent.
   */
  baseUrlPerRequest?: boolean
  /** The client's name, for messages. */
  adapter: string
  /** The client option that carries the base URL (ky `baseUrl`, got `prefixUrl`), for messages. */
  baseUrlOption?: string
}

/**
 * The header to send and the token inside it (to compare on a 401).
 *
 * @example
 * ```ts
 * const a = await auth.authorize('https://api.contoso.com/todolist')
 * if (a !== undefined) headers.set('authorization', a.header) // keep `a` to report a 401
 * ```
 */
export interface Authorization {
  header: string
  token: string
  /**
   * More headers to set with this Authorization (a DPoP-bound token's `DPoP` proof, fresh for
   * each request). Absent for a Bearer token.
   */
  headers?: Record<string, string>
}

/**
 * What an adapter reports about a 401 answer (the lower-level form of {@link ResponseFacts}).
 *
 * @example
 * ```ts
 * const retry = await auth.onUnauthorized({
 *   url: res.url, wwwAuthenticate: res.headers.get('www-authenticate'), token: sent.token, retried: false,
 * })
 * ```
 */
export interface UnauthorizedResponse {
  url: string | URL
  /** The `WWW-Authenticate` header value(s). */
  wwwAuthenticate: string | readonly string[] | null | undefined
  /** The token the rejected request carried, if any. */
  token: string | undefined
  /** Whether this request was already retried once. */
  retried: boolean
  signal?: AbortSignal | undefined
  /** The request's method (needed for a DPoP-bound token's new proof). */
  method?: string | undefined
}

/**
 * Everything the 401 decision needs, as an adapter sees it after a response.
 *
 * @example
 * ```ts
 * const retry = await auth.onResponse({
 *   url: response.url, status: response.status, wwwAuthenticate: response.headers.get('www-authenticate'),
 *   sent, replayable: isReplayableBody(body), retried: false, signal,
 * })
 * if (retry !== undefined) await fetch(response.url, { headers: { authorization: retry.header } })
 * ```
 */
export interface ResponseFacts {
  /** The URL that really answered (after redirects); `undefined` when the client cannot tell: no refresh then. */
  url: string | URL | undefined
  status: number
  /** The `WWW-Authenticate` header value(s). */
  wwwAuthenticate: string | readonly string[] | null | undefined
  /** The Authorization this request carried (what `authorize` returned). */
  sent: Authorization | undefined
  /** Whether the body can be sent again (see `isReplayableBody`). */
  replayable: boolean
  /** Whether this response answers the one retry already. */
  retried: boolean
  signal?: AbortSignal | undefined
  /** The request's method: DPoP proofs name it (`htm`). */
  method?: string | undefined
  /** The answer's `DPoP-Nonce` header (RFC 9449 §8, §9): a DPoP-bound request is retried once with it. */
  dpopNonce?: string | readonly string[] | null | undefined
}

/**
 * The client-agnostic half of every adapter: which URLs get the token, the header value, and
 * what to do on a 401. Adapters only translate their client's request and response shapes.
 *
 * @example
 * ```ts
 * const auth = createRequestAuthorizer(provider, { scopes }, { baseUrl: client.defaults.baseURL, adapter: 'axios' })
 * const sent = await auth.authorize(url)        // undefined: send as is, without a token
 * const response = await fetch(url, { headers: sent === undefined ? {} : { authorization: sent.header } })
 * const retry = await auth.onResponse({ url: response.url, status: response.status, wwwAuthenticate: response.headers.get('www-authenticate'), sent, replayable: true, retried: false })
 * ```
 */
export interface RequestAuthorizer {
  /** True when `url` may carry the token: an allowed origin over https (or http on loopback). */
  isAllowed(url: string | URL, baseUrl?: string | URL): boolean
  /**
   * The Authorization to send to `url`, or `undefined` when the token must not go there.
   * `baseUrl`: the base URL the client sees for this request (adapters created with `baseUrlPerRequest`).
   */
  authorize(
    url: string | URL,
    signal?: AbortSignal,
    baseUrl?: string | URL,
    /** The request's method, in any case; needed when the provider uses DPoP (the proof names it). */
    method?: string,
  ): Promise<Authorization | undefined>
  /**
   * `authorize` without the wait, for a client whose hooks can run synchronously; same arguments.
   * The Authorization when `url` may carry the token and a fresh one is cached; else `undefined`
   * (an aborted `signal`, no token at hand, an origin not allowed, an error): then call
   * `authorize`, which waits, says when the token must not go there, and reports errors. Never throws.
   */
  authorizeNow(
    url: string | URL,
    signal?: AbortSignal | null,
    baseUrl?: string | URL,
    method?: string,
  ): Authorization | undefined
  /**
   * Whether `onResponse` can act on a response with this status (only a 401 can make it refresh or
   * re-send): an adapter may hand every other response straight to the caller, facts unbuilt.
   */
  handles(status: number): boolean
  /**
   * The one decision after a response: `undefined` (synchronously, or once settled) hands the
   * response to the caller; an Authorization means "send the request once more with this".
   * A 401 from an allowed origin to a request that carried the token forces a refresh (or asks
   * for the claims of a challenge) even when the body cannot be replayed — later requests get
   * the new token — but only a replayable body is re-sent.
   */
  onResponse(facts: ResponseFacts, baseUrl?: string | URL): Promise<Authorization | undefined> | undefined
  /** The lower-level 401 step: a new Authorization to retry with once, or `undefined`. */
  onUnauthorized(response: UnauthorizedResponse, baseUrl?: string | URL): Promise<Authorization | undefined>
}
