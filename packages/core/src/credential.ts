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
  /**
   * The token an API rejected, when this request replaces it (a 401 or a claims challenge): a
   * managed identity endpoint that supports revocation is told its SHA-256.
   */
  rejectedToken?: string | undefined
  /** The provider's `clientCapabilities` (e.g. `['cp1']`), sent as `xms_cc` where a credential sends them itself. */
  clientCapabilities?: readonly string[] | undefined
  /** Aborts when the shared request is abandoned (provider closed, timeout). */
  signal: AbortSignal
  /** `token_endpoint_auth_methods_supported` from issuer discovery, when known. */
  authMethodsSupported: readonly string[] | undefined
  /** `token_endpoint_auth_signing_alg_values_supported` from issuer discovery, when known. */
  signingAlgsSupported?: readonly string[] | undefined
  /** The provider's HTTP transport (proxy, dispatcher, timeout, body limit applied). */
  http: HttpTransport
  clock: Clock
  logger: Logger | undefined
  /** Extra token-request parameters (`tokenParams` and the call's `params`), sorted by name. */
  params?: readonly (readonly [string, readonly string[]])[]
  /** Counts one retry in the provider's `stats().retries`: for credentials that retry by themselves. */
  countRetry?(): void
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
 * A token a {@link TokenSourceCredential} obtained by itself (managed identity).
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
 * const authenticate = async () => ({ form: { client_secret: await vault.read('app-secret') } })
 * createTokenProvider({ credential: { kind: 'vault_secret', authenticate, defaults } }) // no clientId/tenantId needed
 * ```
 */
export interface CredentialDefaults {
  clientId?: string
  tenantId?: string
  authorityHost?: string
}

/** What every credential has, whichever kind it is. */
interface CredentialBase {
  /** A short name for logs, e.g. `client_secret`. */
  readonly kind: string
  /** Settings from the environment the provider may use when its own options omit them. */
  readonly defaults?: CredentialDefaults
  /**
   * Whether the provider needs the app registration's `clientId` and `tenantId` (default true;
   * false for managed identity, whose endpoint knows both).
   */
  readonly needsClientIdAndTenantId?: boolean
  /** @deprecated Renamed {@link needsClientIdAndTenantId} (it governs the tenant too); still read. */
  readonly needsClientId?: boolean
}

/**
 * A credential that authenticates the provider's token request (client secret, certificate,
 * assertion): the provider sends the request, with the form fields and headers it returns.
 *
 * @example
 * ```ts
 * const fromVault: ClientCredential = {
 *   kind: 'vault_secret',
 *   async authenticate() { return { form: { client_secret: await vault.read('app-secret') } } },
 * }
 * ```
 */
export interface ClientCredential extends CredentialBase {
  /** Called per attempt (a certificate credential signs a fresh assertion each time). */
  authenticate(context: CredentialContext): Promise<ClientAuthentication>
  /**
   * Called when the authority rejected this credential's proof (`invalid_client`, or a
   * certificate it no longer accepts). Return true if the credential reloaded something or moved
   * to another member of a rotation list, so that another attempt may succeed (bounded per request).
   */
  onRejected?(error: TokenRequestError, context: CredentialContext): boolean | Promise<boolean>
  readonly getToken?: never
}

/**
 * A credential that obtains tokens itself (managed identity): the provider caches and refreshes
 * what it returns, and checks each token before caching it.
 *
 * @example
 * ```ts
 * const sidecar: TokenSourceCredential = {
 *   kind: 'sidecar',
 *   needsClientIdAndTenantId: false,
 *   async getToken(ctx) {
 *     const res = await ctx.http.request({ url: 'http://127.0.0.1:9000/token', method: 'GET', headers: {}, signal: ctx.signal })
 *     const body = JSON.parse(res.body) as { access_token: string; expires_in: number }
 *     return { accessToken: body.access_token, expiresAt: ctx.clock.now() + body.expires_in * 1000 }
 *   },
 * }
 * ```
 */
export interface TokenSourceCredential extends CredentialBase {
  getToken(context: CredentialContext): Promise<IssuedToken>
  readonly authenticate?: never
  readonly onRejected?: never
}

/**
 * A credential strategy: a {@link ClientCredential} (implements `authenticate`) or a
 * {@link TokenSourceCredential} (implements `getToken`). Values it returns are never logged or
 * put in errors.
 *
 * @example
 * ```ts
 * const credential: Credential = process.env.IDENTITY_ENDPOINT ? managedIdentity() : clientSecret(process.env.AZURE_CLIENT_SECRET!)
 * if (credential.getToken !== undefined) console.log(`${credential.kind} fetches tokens itself`)
 * ```
 */
export type Credential = ClientCredential | TokenSourceCredential

/**
 * Whether the provider needs `clientId` and `tenantId` for this credential (either spelling of the flag).
 *
 * @example
 * ```ts
 * needsClientIdAndTenantId(managedIdentity()) // false
 * ```
 */
export function needsClientIdAndTenantId(credential: Credential): boolean {
  return (credential.needsClientIdAndTenantId ?? credential.needsClientId) !== false
}
