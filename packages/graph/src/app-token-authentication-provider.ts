import type { TokenProvider } from '@apptoken/core'
import type { AuthenticationProvider, AuthenticationProviderOptions } from '@microsoft/microsoft-graph-client'
import { graphAuthorizer, graphBaseUrl } from './graph-authorizer.js'
import { throwAsGraphClientError } from './graph-client-error.js'

/**
 * Options of {@link AppTokenAuthenticationProvider}.
 *
 * @example
 * ```ts
 * const options: AppTokenAuthenticationProviderOptions = { cloud: AzureCloud.China }
 * ```
 */
export interface AppTokenAuthenticationProviderOptions {
  /** Token scope. Default: the cloud's Graph host + `/.default`. */
  scopes?: string | readonly string[]
  /** Authority host of the cloud (`AzureCloud.*`). Default `AzureCloud.Public`. */
  cloud?: string
  /** Tenant for these tokens (multi-tenant daemons). */
  tenantId?: string
}

/**
 * A Graph v3 `AuthenticationProvider` that returns app tokens from a token provider. It only
 * hands out tokens: for the 401 retry and the host allow-list use {@link createGraphClient}.
 *
 * @example
 * ```ts
 * const client = Client.initWithMiddleware({ authProvider: new AppTokenAuthenticationProvider(provider) })
 * ```
 */
export class AppTokenAuthenticationProvider implements AuthenticationProvider {
  /** The scope of tokens asked without per-request scopes. */
  readonly scopes: string | readonly string[]
  readonly #provider: TokenProvider
  readonly #tenantId: string | undefined

  constructor(provider: TokenProvider, options: AppTokenAuthenticationProviderOptions = {}) {
    this.scopes = options.scopes ?? `${graphBaseUrl(options)}/.default`
    // Checks the provider and the scopes now, so a mistake fails here and not on the first request.
    graphAuthorizer(provider, options, 'AppTokenAuthenticationProvider', this.scopes)
    this.#provider = provider
    this.#tenantId = options.tenantId
  }

  /** A token for `options.scopes` (per request, through `AuthenticationHandlerOptions`) or the default scopes. */
  async getAccessToken(options?: AuthenticationProviderOptions): Promise<string> {
    const scopes = options?.scopes?.length ? options.scopes : this.scopes
    const tenant = this.#tenantId === undefined ? undefined : { tenantId: this.#tenantId }
    const token = await this.#provider.getToken(scopes, tenant).catch(throwAsGraphClientError)
    return token.accessToken
  }
}
