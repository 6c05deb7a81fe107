import { ConfigurationError } from '../errors.js'
import { normalizeScopes, validateEntraScopes } from '../scopes.js'
import type { TokenProvider } from '../token-provider.js'
import type { AccessToken, GetTokenOptions } from '../types.js'
import { isSecureUrl } from '../urls.js'
import { resolveOrigins } from './origins.js'
import { parseWwwAuthenticate, readClaimsChallenge } from './www-authenticate.js'

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
  /** Choose scopes per request (several APIs behind one client); `undefined` means `scopes`. */
  scopesFor?: (url: URL) => string | readonly string[] | undefined
}

/**
 * Where an adapter's default origin comes from.
 *
 * @example
 * ```ts
 * const context: AuthorizerContext = { baseUrl: options.prefixUrl, adapter: 'got', baseUrlOption: 'prefixUrl' }
 * const auth = createRequestAuthorizer(provider, options, context)
 * ```
 */
export interface AuthorizerContext {
  /** The client's base URL, when the adapter can see it. */
  baseUrl?: string | URL | undefined
  /** The client's name, for messages. */
  adapter: string
  /** The adapter option that carries the base URL (ky `baseUrl`, got `prefixUrl`), for messages. */
  baseUrlOption?: string
}

/**
 * The header to send and the token inside it (to compare on a 401).
 *
 * @example
 * ```ts
 * const a = await auth.authorize('https://api.contoso.com/todolist')
 * if (a !== undefined) headers.set('authorization', a.header) // keep a.token to report a 401
 * ```
 */
export interface Authorization {
  header: string
  token: string
}

/**
 * What an adapter reports about a 401 answer.
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
}

/**
 * The client-agnostic half of every adapter: which URLs get the token, the header value, and
 * what to do on a 401. Adapters only translate their client's request and response shapes.
 *
 * @example
 * ```ts
 * const auth = createRequestAuthorizer(provider, { scopes }, { baseUrl: client.defaults.baseURL, adapter: 'axios' })
 * const a = await auth.authorize(url)            // undefined: do not attach
 * const retry = await auth.onUnauthorized({ url, wwwAuthenticate, token: a?.token, retried: false })
 * ```
 */
export interface RequestAuthorizer {
  /** True when `url` may carry the token: an allowed origin over https (or http on loopback). */
  isAllowed(url: string | URL): boolean
  /** The Authorization to send to `url`, or `undefined` when the token must not go there. */
  authorize(url: string | URL, signal?: AbortSignal): Promise<Authorization | undefined>
  /**
   * Decides on a 401: a new Authorization to retry with once (forced refresh, or the claims of a
   * challenge), or `undefined` to hand the 401 to the caller.
   */
  onUnauthorized(response: UnauthorizedResponse): Promise<Authorization | undefined>
}

function toUrl(url: string | URL): URL | undefined {
  if (url instanceof URL) return url
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

class Authorizer implements RequestAuthorizer {
  readonly #origins: ReadonlySet<string>
  readonly #scopes: string | readonly string[]
  readonly #tenantId: string | undefined
  readonly #scopesFor: AppTokenOptions['scopesFor']
  #last: Authorization | undefined

  constructor(
    private readonly provider: TokenProvider,
    options: AppTokenOptions,
    context: AuthorizerContext,
  ) {
    if (typeof options !== 'object' || options === null || options.scopes === undefined) {
      throw new ConfigurationError(
        'scopes',
        `${context.adapter} needs the scope of the API it calls`,
        "pass { scopes: 'api://my-api/.default' }",
      )
    }
    if (provider.mode === 'entra') validateEntraScopes(normalizeScopes(options.scopes))
    if (options.scopesFor !== undefined && typeof options.scopesFor !== 'function') {
      throw new ConfigurationError('scopesFor', 'it is not a function', 'pass (url) => scopes, or omit it')
    }
    this.#origins = resolveOrigins(options.origins, context.baseUrl, context.adapter, context.baseUrlOption)
    this.#scopes = options.scopes
    this.#tenantId = options.tenantId
    this.#scopesFor = options.scopesFor
  }

  isAllowed(url: string | URL): boolean {
    if (typeof url === 'string') {
      // Fast path, no URL parsing: an allowed origin followed by '/', '?', '#' or nothing ends the
      // authority there, so the host is that origin's. Anything else is parsed below.
      for (const origin of this.#origins) {
        if (url.startsWith(origin)) {
          const next = url.charCodeAt(origin.length)
          if (Number.isNaN(next) || next === 47 || next === 63 || next === 35) return true
        }
      }
    }
    const u = toUrl(url)
    return u !== undefined && this.#origins.has(u.origin) && isSecureUrl(u)
  }

  /** The header for a token, built once per token rather than per request. */
  #authorization(t: AccessToken): Authorization {
    if (this.#last?.token !== t.accessToken) {
      this.#last = {
        header: `${t.tokenType === 'bearer' ? 'Bearer' : t.tokenType} ${t.accessToken}`,
        token: t.accessToken,
      }
    }
    return this.#last
  }

  #scopesOf(url: string | URL): string | readonly string[] {
    if (this.#scopesFor === undefined) return this.#scopes
    const u = toUrl(url)
    return (u && this.#scopesFor(u)) ?? this.#scopes
  }

  async authorize(url: string | URL, signal?: AbortSignal): Promise<Authorization | undefined> {
    if (!this.isAllowed(url)) return undefined
    const options: GetTokenOptions | undefined =
      this.#tenantId === undefined && signal === undefined
        ? undefined
        : { ...(this.#tenantId && { tenantId: this.#tenantId }), ...(signal && { signal }) }
    return this.#authorization(await this.provider.getToken(this.#scopesOf(url), options))
  }

  async onUnauthorized(response: UnauthorizedResponse): Promise<Authorization | undefined> {
    if (response.retried) return undefined
    if (!this.isAllowed(response.url)) return undefined
    const header = Array.isArray(response.wwwAuthenticate)
      ? response.wwwAuthenticate.join(', ')
      : (response.wwwAuthenticate as string | null | undefined)
    // An API that challenges with another scheme only (Basic, Negotiate) will not take our token.
    if (header && !parseWwwAuthenticate(header).some((c) => c.scheme === 'bearer')) return undefined
    const challenge = readClaimsChallenge(header)
    // A claims challenge we cannot read is not ours to answer: the caller gets the 401 as it is.
    if (challenge.kind === 'invalid') return undefined
    const options: GetTokenOptions =
      challenge.kind === 'claims' ? { claims: challenge.claims } : { forceRefresh: true }
    if (response.token !== undefined) options.rejectedToken = response.token
    if (this.#tenantId !== undefined) options.tenantId = this.#tenantId
    if (response.signal !== undefined) options.signal = response.signal
    const next = await this.provider.getToken(this.#scopesOf(response.url), options)
    // The same token again (the refresh was rate-limited, or the server re-issued it): no retry.
    if (response.token !== undefined && next.accessToken === response.token) return undefined
    return this.#authorization(next)
  }
}

/**
 * Creates the shared attach/401 logic for an adapter. Validates the scopes and origins now, so a
 * mistake fails at attach time.
 *
 * @example
 * ```ts
 * const auth = createRequestAuthorizer(provider, { scopes: 'api://my-api/.default' }, { baseUrl: 'https://api.contoso.com', adapter: 'my-client' })
 * ```
 */
export function createRequestAuthorizer(
  provider: TokenProvider,
  options: AppTokenOptions,
  context: AuthorizerContext,
): RequestAuthorizer {
  if (!provider || typeof provider.getToken !== 'function') {
    throw new ConfigurationError(
      'provider',
      'it is not a token provider',
      'pass the result of createTokenProvider(...)',
    )
  }
  return new Authorizer(provider, options, context)
}
