import type { TokenRequestError } from './errors.js'
import type { HttpTransport } from './http.js'
import type { Clock, Logger } from './types.js'

/** What a credential knows about the token request it is asked to authenticate. */
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

/** Parameters a credential adds to the token request. */
export interface ClientAuthentication {
  form?: Record<string, string>
  headers?: Record<string, string>
}

/** A token a credential obtained by itself (managed identity). */
export interface IssuedToken {
  accessToken: string
  tokenType?: string
  expiresAt: number
  refreshAt?: number
}

/** Settings a credential brings from its environment (workload identity's AZURE_* variables). */
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
