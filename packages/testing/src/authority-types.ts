import type { JSONWebKeySet } from 'jose'
import type { TestClientRegistration } from './clients.js'
import type { Fault } from './faults.js'
import type { TlsOptions } from './http.js'
import type { ManagedIdentityEndpoints } from './managed-identity.js'
import type { RecordedRequest } from './recording.js'
import type { TokenVersion } from './token-version.js'

/**
 * Options of {@link startTestAuthority}. Every field is optional.
 *
 * @example
 * ```ts
 * let now = Date.now()
 * const authority = await startTestAuthority({ tokenLifetimeSeconds: 600, now: () => now })
 * ```
 */
export interface TestAuthorityOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number
  /** Serve https with this PEM certificate and key (MSAL refuses http authorities). */
  https?: TlsOptions
  /** Tenant GUIDs and domains; default `[DEFAULT_TENANT_ID, 'contoso.onmicrosoft.com']`. Domains belong to the first GUID. */
  tenants?: string[]
  /** App registrations; default one app, `DEFAULT_CLIENT_ID` with `DEFAULT_CLIENT_SECRET`. */
  clients?: TestClientRegistration[]
  /** `expires_in` of issued tokens; default 3600. */
  tokenLifetimeSeconds?: number
  /** Lifetime of managed identity tokens; default 86399, as IMDS sends. */
  managedIdentityLifetimeSeconds?: number
  /** When set, token responses include `refresh_in`. */
  refreshInSeconds?: number
  /** Delay added to every token and managed identity response. */
  latencyMs?: number
  /** Clock (epoch ms) for `iat`/`exp` and validation; default `Date.now`. */
  now?: () => number
  /**
   * Access token version per resource (the `aud`, with or without a trailing slash), over the
   * defaults: v1.0 for the well-known Azure resources (`https://storage.azure.com`,
   * `https://vault.azure.net`, `https://management.azure.com`, `https://database.windows.net/`,
   * Service Bus, Event Hubs, ... and per-account hosts such as `https://x.blob.core.windows.net`),
   * as Entra issues them; v2.0 for every other resource.
   */
  tokenVersions?: Readonly<Record<string, TokenVersion>>
  /**
   * Shifts the `Date` header of every response by this many seconds (tokens keep `now`): a
   * client whose clock disagrees with the authority's, as `apptoken doctor` checks. Default 0.
   */
  dateSkewSeconds?: number
}

/**
 * Filter for {@link TestAuthority.tokenRequests}; every field given must match.
 *
 * @example
 * ```ts
 * expect(authority.tokenRequests({ clientId: DEFAULT_CLIENT_ID, scope: 'https://graph.microsoft.com/.default' })).toHaveLength(1)
 * ```
 */
export interface TokenRequestFilter {
  clientId?: string
  /** Tenant GUID or domain; matches requests sent to either. */
  tenant?: string
  /** Matches the requested scope, or the managed identity resource plus `/.default`. */
  scope?: string
}

/**
 * Claims for {@link TestAuthority.issueToken}.
 *
 * @example
 * ```ts
 * const roleless = await authority.issueToken({ audience: TEST_API_AUDIENCE, roles: [] })
 * const expired = await authority.issueToken({ audience: TEST_API_AUDIENCE, extra: { exp: 1 } })
 * ```
 */
export interface IssueTokenClaims {
  audience: string
  /** Tenant GUID or domain; default the authority's default tenant. */
  tenant?: string
  /** Default `DEFAULT_CLIENT_ID`. */
  clientId?: string
  /** Default: the roles the client holds for `audience`. Pass `[]` for a role-less token. */
  roles?: string[]
  /** Default: the authority's `tokenLifetimeSeconds`. */
  lifetimeSeconds?: number
  /** Token format; default: the version the authority issues for `audience`. */
  version?: TokenVersion
  /** Extra claims, applied last (they may override any claim, e.g. `exp` or `iss`). */
  extra?: Record<string, unknown>
}

/**
 * The options a token provider for a {@link TestAuthority} needs besides its credential, as
 * `@apptoken/core`'s `createTokenProvider` (and MSAL's `auth`, once mapped) names them.
 *
 * @example
 * ```ts
 * const { authorityHost, tenantId, clientId }: TestProviderOptions = authority.providerOptions
 * ```
 */
export interface TestProviderOptions {
  /** The authority's origin, `http://127.0.0.1:port` (or https). */
  readonly authorityHost: string
  /** The default tenant GUID. */
  readonly tenantId: string
  /** The default client's id. */
  readonly clientId: string
}

/**
 * A running local token authority, compatible with Microsoft Entra ID's v2 endpoints.
 *
 * @example
 * ```ts
 * const authority = await startTestAuthority()
 * const response = await fetch(authority.tokenEndpoint(), {
 *   method: 'POST',
 *   body: new URLSearchParams({ grant_type: 'client_credentials', client_id: authority.clientId,
 *     client_secret: authority.clientSecret, scope: `${TEST_API_AUDIENCE}/.default` }),
 * })
 * await authority.close()
 * ```
 */
export interface TestAuthority {
  /** `http://127.0.0.1:port` (or https), no trailing slash. */
  readonly authorityHost: string
  /** The default tenant GUID. */
  readonly tenantId: string
  /** Every tenant GUID this authority knows. */
  readonly tenantIds: readonly string[]
  /** The default client's id. */
  readonly clientId: string
  /** The default client's secret. */
  readonly clientSecret: string
  /**
   * `{ authorityHost, tenantId, clientId }` of the default client: what a token provider for this
   * authority needs besides its credential.
   *
   * @example
   * ```ts
   * const provider = createTokenProvider({ ...authority.providerOptions, credential: clientSecret(authority.clientSecret) })
   * ```
   */
  readonly providerOptions: TestProviderOptions
  /** `${authorityHost}/discovery/v2.0/keys`. */
  readonly jwksUri: string
  /** The public signing keys (what `jwksUri` serves). */
  readonly jwks: JSONWebKeySet
  /** Managed identity endpoints (IMDS and App Service). */
  readonly managedIdentity: ManagedIdentityEndpoints
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[]
  /** The authority's clock (epoch ms). */
  now(): number
  /** `${authorityHost}/${tenant}/oauth2/v2.0/token`; default tenant when omitted. */
  tokenEndpoint(tenant?: string): string
  /**
   * The `iss` of tokens for a tenant (default tenant when omitted; a domain is resolved to its
   * GUID): v2 `${authorityHost}/${tenantGuid}/v2.0` (the default), v1 `https://sts.windows.net/${tenantGuid}/`.
   */
  issuer(tenant?: string, version?: TokenVersion): string
  /** Every issuer of this authority's tokens: v2 and v1, for every tenant (what an API accepts). */
  issuers(): string[]
  /** The token version this authority issues for a resource (`aud`). */
  tokenVersion(resource: string): TokenVersion
  /** Adds an app registration (replacing one with the same client id). */
  registerClient(client: TestClientRegistration): void
  /** Token and managed identity requests, successful or not, optionally filtered. */
  tokenRequests(filter?: TokenRequestFilter): RecordedRequest[]
  /** Queues a fault for the next matching request(s). */
  failNext(fault: Fault): void
  /** APIs started against this authority answer 401 to this token from now on. */
  revoke(accessToken: string): void
  isRevoked(accessToken: string): boolean
  /** Mints an access token directly, without a token request (for tests of an API). */
  issueToken(claims: IssueTokenClaims): Promise<string>
  /** Forgets recorded requests, pending faults and revocations; registrations stay. */
  reset(): void
  /** Stops the server, closing keep-alive sockets at once. */
  close(): Promise<void>
}
