import type { TokenProvider } from '@apptoken/core'
import type { RequestAuthorizer } from '@apptoken/core/adapter'
import {
  AllowedHostsValidator,
  BaseBearerTokenAuthenticationProvider,
  type AccessTokenProvider,
} from '@microsoft/kiota-abstractions'
import { allowedOrigins, graphAuthorizer, type GraphTargetOptions } from './graph-authorizer.js'

/**
 * A Kiota `AccessTokenProvider` (for `@microsoft/msgraph-sdk` and other Kiota clients) that returns
 * app tokens, for allowed hosts only, and answers a claims challenge with a token for those claims.
 *
 * @example
 * ```ts
 * const auth = new BaseBearerTokenAuthenticationProvider(new AppTokenAccessTokenProvider(provider))
 * ```
 */
export class AppTokenAccessTokenProvider implements AccessTokenProvider {
  readonly #auth: RequestAuthorizer
  readonly #hosts: AllowedHostsValidator

  constructor(provider: TokenProvider, options: GraphTargetOptions = {}) {
    this.#auth = graphAuthorizer(provider, options, 'AppTokenAccessTokenProvider')
    this.#hosts = new AllowedHostsValidator(
      new Set(allowedOrigins(options).map((origin) => new URL(origin).hostname)),
    )
  }

  /** A token for `url`, or `''` (no header) when the token must not go there. `claims` is a challenge's, as Kiota passes it (base64). */
  async getAuthorizationToken(
    url?: string,
    additionalAuthenticationContext?: Record<string, unknown>,
  ): Promise<string> {
    if (url === undefined || !this.#auth.isAllowed(url)) return ''
    const claims = additionalAuthenticationContext?.claims
    if (typeof claims !== 'string' || claims === '') return (await this.#auth.authorize(url))?.token ?? ''
    // Core decodes and applies the claims: hand it the challenge Kiota read them from.
    const wwwAuthenticate = `Bearer error="insufficient_claims", claims="${claims.replace(/["\\]/g, '\\$&')}"`
    return (
      (await this.#auth.onUnauthorized({ url, wwwAuthenticate, token: undefined, retried: false }))?.token ??
      ''
    )
  }

  /** Host names that may receive the token (Kiota checks host names; the port is checked too when a token is asked). */
  getAllowedHostsValidator(): AllowedHostsValidator {
    return this.#hosts
  }
}

/**
 * A Kiota `AuthenticationProvider` for `FetchRequestAdapter` (and `GraphServiceClient`) with app tokens.
 *
 * @example
 * ```ts
 * const adapter = new FetchRequestAdapter(createAppTokenAuthenticationProvider(provider))
 * ```
 */
export function createAppTokenAuthenticationProvider(
  provider: TokenProvider,
  options: GraphTargetOptions = {},
): BaseBearerTokenAuthenticationProvider {
  return new BaseBearerTokenAuthenticationProvider(new AppTokenAccessTokenProvider(provider, options))
}
