import { publishUnauthorizedRetry, unauthorizedRetryChannel } from '../diagnostics-publish.js'
import { ConfigurationError } from '../errors.js'
import { normalizeScopes, validateEntraScopes } from '../scopes.js'
import type { TokenProvider } from '../token-provider.js'
import type { AccessToken, GetTokenOptions } from '../types.js'
import { cachedTokenReader } from '../cached-token-now.js'
import { AllowedOrigins, resolveOrigins, toUrl } from './origins.js'
import type {
  AppTokenOptions,
  Authorization,
  AuthorizerContext,
  RequestAuthorizer,
  ResponseFacts,
  UnauthorizedResponse,
} from './types.js'
import { parseWwwAuthenticate, readClaimsChallenge } from './www-authenticate.js'
import { DPOP } from '../dpop.js'
import { checkTokenParams } from '../token-params.js'
import { asksForDpopNonce, dpopAuthorization, firstNonce } from './dpop-authorization.js'

class Authorizer implements RequestAuthorizer {
  readonly #origins: AllowedOrigins
  readonly #context: AuthorizerContext
  readonly #scopes: string | readonly string[]
  readonly #tenantId: string | undefined
  readonly #scopesFor: AppTokenOptions['scopesFor']
  /** The getToken options of a request without a signal (tenant, params), built once. */
  readonly #base: GetTokenOptions | undefined
  #last: Authorization | undefined
  /** The provider's synchronous cache read (`undefined` for a provider without one). */
  readonly #cachedNow: ReturnType<typeof cachedTokenReader>

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
    // Checked now, so a reserved or malformed parameter fails where the client is built.
    if (options.params !== undefined) checkTokenParams('params', options.params)
    this.#context = context
    this.#cachedNow = cachedTokenReader(provider)
    const known = options.origins !== undefined || context.baseUrl !== undefined || !context.baseUrlPerRequest
    this.#origins = new AllowedOrigins(
      known
        ? resolveOrigins(options.origins, context.baseUrl, context.adapter, context.baseUrlOption)
        : undefined,
      context,
    )
    this.#scopes = options.scopes
    this.#tenantId = options.tenantId
    this.#scopesFor = options.scopesFor
    this.#base =
      options.tenantId === undefined && options.params === undefined
        ? undefined
        : {
            ...(options.tenantId ? { tenantId: options.tenantId } : {}),
            ...(options.params !== undefined && { params: options.params }),
          }
  }

  isAllowed(url: string | URL, baseUrl?: string | URL): boolean {
    return this.#origins.allows(url, baseUrl)
  }

  /** The header for a token, built once per token rather than per request (a DPoP proof: per request). */
  #authorization(t: AccessToken, url: string | URL, method: string | undefined): Authorization {
    if (t.tokenType === DPOP)
      return dpopAuthorization(this.provider.dpop, t, url, method, this.#context.adapter)
    if (this.#last?.token !== t.accessToken)
      this.#last = { header: `Bearer ${t.accessToken}`, token: t.accessToken }
    return this.#last
  }

  #scopesOf(url: string | URL): string | readonly string[] {
    if (this.#scopesFor === undefined) return this.#scopes
    const u = toUrl(url)
    return (u && this.#scopesFor(u)) ?? this.#scopes
  }

  async authorize(
    url: string | URL,
    signal?: AbortSignal,
    baseUrl?: string | URL,
    method?: string,
  ): Promise<Authorization | undefined> {
    if (!this.isAllowed(url, baseUrl)) return undefined
    const options: GetTokenOptions | undefined = signal === undefined ? this.#base : { ...this.#base, signal }
    return this.#authorization(await this.provider.getToken(this.#scopesOf(url), options), url, method)
  }

  authorizeNow(
    url: string | URL,
    signal?: AbortSignal | null,
    baseUrl?: string | URL,
    method?: string,
  ): Authorization | undefined {
    if (this.#cachedNow === undefined || signal?.aborted === true) return undefined
    try {
      if (!this.isAllowed(url, baseUrl)) return undefined
      const token = this.#cachedNow(this.#scopesOf(url), this.#base)
      return token === undefined ? undefined : this.#authorization(token, url, method)
    } catch {
      return undefined // no base URL to decide by, a DPoP misconfiguration: `authorize` reports it
    }
  }

  handles(status: number): boolean {
    return status === 401
  }

  onResponse(facts: ResponseFacts, baseUrl?: string | URL): Promise<Authorization | undefined> | undefined {
    // Not ours to handle: another status, a request sent without our token, the retry's own answer,
    // or a 401 whose real origin the client cannot tell (it may come from a redirect target).
    if (!this.handles(facts.status) || facts.sent === undefined || facts.retried || facts.url === undefined)
      return undefined
    if (facts.sent.headers?.dpop !== undefined && asksForDpopNonce(facts.wwwAuthenticate))
      return this.#nonceRetry(facts, baseUrl)
    const next = this.onUnauthorized(
      {
        url: facts.url,
        wwwAuthenticate: facts.wwwAuthenticate,
        token: facts.sent.token,
        retried: false,
        signal: facts.signal,
        method: facts.method,
      },
      baseUrl,
    )
    // The one rule for every adapter: refresh even when the body cannot be replayed (later
    // requests get the new token), but re-send only a replayable body.
    return facts.replayable ? next : next.then(() => undefined)
  }

  async onUnauthorized(
    response: UnauthorizedResponse,
    baseUrl?: string | URL,
  ): Promise<Authorization | undefined> {
    if (response.retried) return undefined
    if (!this.isAllowed(response.url, baseUrl)) return undefined
    const header = Array.isArray(response.wwwAuthenticate)
      ? response.wwwAuthenticate.join(', ')
      : (response.wwwAuthenticate as string | null | undefined)
    // An API that challenges with another scheme only (Basic, Negotiate) will not take our token.
    if (header && !parseWwwAuthenticate(header).some((c) => c.scheme === 'bearer' || c.scheme === 'dpop'))
      return undefined
    const challenge = readClaimsChallenge(header)
    // A claims challenge we cannot read is not ours to answer: the caller gets the 401 as it is.
    if (challenge.kind === 'invalid') return undefined
    const options: GetTokenOptions =
      challenge.kind === 'claims' ? { claims: challenge.claims } : { forceRefresh: true }
    if (response.token !== undefined) options.rejectedToken = response.token
    if (this.#tenantId !== undefined) options.tenantId = this.#tenantId
    if (this.#base?.params !== undefined) options.params = this.#base.params
    if (response.signal !== undefined) options.signal = response.signal
    const next = await this.provider.getToken(this.#scopesOf(response.url), options)
    // The same token again (the refresh was rate-limited, or the server re-issued it): no retry.
    if (response.token !== undefined && next.accessToken === response.token) return undefined
    if (unauthorizedRetryChannel.hasSubscribers)
      publishUnauthorizedRetry(response.url, challenge.kind === 'claims', next)
    return this.#authorization(next, response.url, response.method)
  }

  /**
   * RFC 9449 §9: the API wants a nonce. The same token goes again once, with a proof carrying
   * the nonce the answer gave; a nonce with CR/LF or quotes is refused (the caller gets the 401).
   */
  #nonceRetry(
    facts: ResponseFacts,
    baseUrl: string | URL | undefined,
  ): Promise<Authorization | undefined> | undefined {
    const signer = this.provider.dpop
    const url = facts.url!
    const href = typeof url === 'string' ? url : url.href
    if (signer === undefined || !this.isAllowed(url, baseUrl)) return undefined
    if (!signer.rememberNonce(href, firstNonce(facts.dpopNonce)) || !facts.replayable) return undefined
    const token = facts.sent!.token
    return Promise.resolve({
      header: `${DPOP} ${token}`,
      token,
      headers: { dpop: signer.proof(facts.method ?? 'GET', href, token, Date.now()) },
    })
  }
}

/**
 * Creates the shared attach/401 logic for an adapter. Validates the scopes and origins now, so a
 * mistake fails at attach time (or, for adapters that read the base URL per request, on the
 * first request, before anything is sent).
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
