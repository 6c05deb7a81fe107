import type { TokenRequestError } from './errors.js'
import type { HttpTransport } from './http.js'
import type { Clock, Logger } from './types.js'

/**
 * What a credential knows about the token request it is asked to authenticate.
 *
 * @example
 * ```ts
 * const perTenant: Credential = {
 *   kind: 'vault_secret',
 *   authenticate: async (ctx: CredentialContext) => ({ form: { client_secret: await vault.read(`${ctx.tenantId}/${ctx.clientId}`) } }),
 * }
 * ```
 */
export interface CredentialContext {
  clientId: string
  /** Tenant of this request ('' for non-Entra authorities). */
  tenantId: string
  /** The exact token endpoint URL: the `aud` of a client assertion. */
  tokenEndpoint: string
  /** The Entra authority host, when the provider talks to Entra. */
  authorityHost: string | undefined
  scopes: readonly string[]
  claims: string | undefined
  /** Aborts when the shared request is abandoned (provider closed, timeout). */
  signal: AbortSignal
  /** `token_endpoint_auth_methods_supported` from issuer discovery, when known. */
  authMethodsSupported: readonly string[] | undefined
  /** The provider's HTTP transport (proxy, dispatcher, timeout, body limit applied). */
  http: HttpTransport
  clock: Clock
  logger: Logger | undefined
}

/**
 * Parameters a credential adds to the token request.
 *
 * @example
 * ```ts
 * const auth: ClientAuthentication = {
 *   form: { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt },
 * }
 * ```
 */
export interface ClientAuthentication {
  form?: Record<string, string>
  headers?: Record<string, string>
}

/**
 * A token a credential obtained by itself (managed identity).
 *
 * @example
 * ```ts
 * // in a Credential's getToken, from a local token service's answer:
 * const issued: IssuedToken = { accessToken: body.access_token, tokenType: 'Bearer', expiresAt: Date.now() + body.expires_in * 1000 }
 * ```
 */
export interface IssuedToken {
  accessToken: string
  tokenType?: string
  expiresAt: number
  refreshAt?: number
}

/**
 * Settings a credential brings from its environment (workload identity's AZURE_* variables).
 *
 * @example
 * ```ts
 * const defaults: CredentialDefaults = { clientId: appId, tenantId: 'contoso.onmicrosoft.com' }
 * createTokenProvider({ credential: { kind: 'vault_secret', authenticate, defaults } }) // no clientId/tenantId needed
 * ```
 */
export interface CredentialDefaults {
  clientId?: string
  tenantId?: string
  authorityHost?: string
}

/**
 * A credential strategy. Implement `authenticate` to add client authentication to the provider's
 * token request, or `getToken` to obtain tokens some other way (managed identity). Values it
 * returns are never logged or put in errors.
 *
 * @example
 * ```ts
 * const fromVault: Credential = {
 *   kind: 'vault_secret',
 *   async authenticate() { return { form: { client_secret: await vault.read('app-secret') } } },
 * }
 * ```
 */
export interface Credential {
  /** A short name for logs, e.g. `client_secret`. */
  readonly kind: string
  authenticate?(context: CredentialContext): Promise<ClientAuthentication>
  getToken?(context: CredentialContext): Promise<IssuedToken>
  /**
   * Called when the authority rejected this credential's proof (`invalid_client`, or a
   * certificate it no longer accepts). Return true if the credential reloaded something or moved
   * to another member of a rotation list, so that another attempt may succeed (bounded per request).
   */
  onRejected?(error: TokenRequestError, context: CredentialContext): boolean | Promise<boolean>
  /** Settings from the environment the provider may use when its own options omit them. */
  readonly defaults?: CredentialDefaults
  /** Whether the provider needs `tenantId`/`clientId` (false for managed identity). */
  readonly needsClientId?: boolean
}
