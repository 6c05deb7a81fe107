import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JSONWebKeySet } from 'jose'
import { ClientRegistry, defaultClient, type TestClientRegistration } from './clients.js'
import { rolesFor, stableGuid, type AuthorityContext } from './context.js'
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from './defaults.js'
import { sendJwks, sendOpenIdConfiguration } from './discovery.js'
import { FaultQueue, type Fault } from './faults.js'
import { listen, sendJson, type TlsOptions } from './http.js'
import { authorityInternals } from './internals.js'
import {
  APP_SERVICE_PATH,
  IMDS_PATH,
  handleManagedIdentity,
  type ManagedIdentityEndpoints,
} from './managed-identity.js'
import { newRecord, type RecordedRequest, type RequestKind } from './recording.js'
import { accessTokenClaims, createSigningKey } from './signing-key.js'
import { TenantDirectory } from './tenants.js'
import { handleTokenRequest } from './token-endpoint.js'
import { checkTokenVersions, tokenVersionFor, v1Issuer, type TokenVersion } from './token-version.js'

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

const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/
const DISCOVERY_PATH = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/
const JWKS_PATH = /^(?:\/[^/]+)?\/discovery\/v2\.0\/keys$/

/**
 * Starts a local, Entra-compatible token authority on 127.0.0.1. Tokens are real RS256 JWTs;
 * client secrets and certificate assertions are really checked.
 *
 * @example
 * ```ts
 * const authority = await startTestAuthority()
 * const provider = createTokenProvider({
 *   authorityHost: authority.authorityHost, tenantId: authority.tenantId,
 *   clientId: authority.clientId, credential: clientSecret(authority.clientSecret),
 * })
 * // ...
 * await authority.close()
 * ```
 */
export async function startTestAuthority(options: TestAuthorityOptions = {}): Promise<TestAuthority> {
  const now = options.now ?? Date.now
  const tenants = new TenantDirectory(options.tenants)
  const clients = new ClientRegistry()
  for (const client of options.clients ?? [defaultClient()]) clients.register(client)
  const faults = new FaultQueue()
  const revoked = new Set<string>()
  const requests: RecordedRequest[] = []
  const appServiceSecret = randomBytes(24).toString('base64url')
  const key = await createSigningKey()

  // The routes need the server's origin, known only once it listens.
  let route: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async () => {}
  const server = await listen((req, res) => route(req, res), options)
  const origin = server.origin
  const requestedClaims = new Map<string, string>()
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600
  const tokenVersions = checkTokenVersions(options.tokenVersions)
  const issuer = (tenantId: string, version: TokenVersion = 2): string =>
    version === 1 ? v1Issuer(tenantId) : `${origin}/${tenantId}/v2.0`
  const tokenVersion = (resource: string): TokenVersion => tokenVersionFor(resource, tokenVersions)

  const ctx: AuthorityContext = {
    origin,
    signal: server.signal,
    now,
    tokenLifetimeSeconds,
    managedIdentityLifetimeSeconds: options.managedIdentityLifetimeSeconds ?? 86399,
    refreshInSeconds: options.refreshInSeconds,
    latencyMs: options.latencyMs ?? 0,
    tenants,
    clients,
    faults,
    key,
    seenAssertions: new Set(),
    requestedClaims,
    tokenEndpoint: (tenant) => `${origin}/${tenant}/oauth2/v2.0/token`,
    issuer,
    tokenVersion,
    async mint(input) {
      const issuedAt = now()
      const lifetimeSeconds = input.lifetimeSeconds ?? tokenLifetimeSeconds
      const version = input.version ?? tokenVersion(input.audience)
      const claims = accessTokenClaims({
        ...input,
        version,
        issuer: issuer(input.tenantId, version),
        objectId: stableGuid(`${input.tenantId} ${input.clientId.toLowerCase()}`),
        issuedAt,
        lifetimeSeconds,
      })
      const token = await key.sign(claims)
      if (input.claims !== undefined) requestedClaims.set(String(claims.uti), input.claims)
      return { token, issuedAt, expiresAt: issuedAt + lifetimeSeconds * 1000 }
    },
  }

  route = async (req, res) => {
    if (options.dateSkewSeconds)
      res.setHeader('date', new Date(Date.now() + options.dateSkewSeconds * 1000).toUTCString())
    const url = new URL(req.url ?? '/', origin)
    const path = url.pathname
    const record = (kind: RequestKind): RecordedRequest => {
      const r = newRecord(kind, req, now())
      requests.push(r)
      return r
    }
    let match: RegExpExecArray | null
    if (path === IMDS_PATH) return handleManagedIdentity(ctx, req, res, record('imds'), url, appServiceSecret)
    if (path === APP_SERVICE_PATH)
      return handleManagedIdentity(ctx, req, res, record('appservice'), url, appServiceSecret)
    if ((match = TOKEN_PATH.exec(path)))
      return handleTokenRequest(ctx, req, res, record('token'), decodeURIComponent(match[1] ?? ''))
    if ((match = DISCOVERY_PATH.exec(path)))
      return sendOpenIdConfiguration(ctx, res, record('discovery'), decodeURIComponent(match[1] ?? ''))
    if (JWKS_PATH.test(path)) return sendJwks(ctx, res, record('jwks'))
    record('other').status = 404
    sendJson(res, 404, { error: 'not_found', error_description: `No endpoint at ${path}` })
  }

  const resolveTenant = (tenant: string | undefined): string => {
    if (tenant === undefined) return tenants.defaultTenantId
    const id = tenants.resolve(tenant)
    if (id === undefined) throw new RangeError(`Unknown tenant '${tenant}'; known: ${tenants.ids.join(', ')}`)
    return id
  }
  const matchesTenant = (recorded: string | undefined, wanted: string): boolean =>
    recorded !== undefined &&
    (recorded.toLowerCase() === wanted.toLowerCase() ||
      (tenants.resolve(recorded) ?? recorded) === tenants.resolve(wanted))

  const authority: TestAuthority = {
    authorityHost: origin,
    tenantId: tenants.defaultTenantId,
    tenantIds: tenants.ids,
    clientId: DEFAULT_CLIENT_ID,
    clientSecret: DEFAULT_CLIENT_SECRET,
    jwksUri: `${origin}/discovery/v2.0/keys`,
    jwks: key.jwks,
    managedIdentity: {
      imdsEndpoint: `${origin}${IMDS_PATH}`,
      appServiceEndpoint: `${origin}${APP_SERVICE_PATH}`,
      appServiceHeader: appServiceSecret,
    },
    requests,
    now,
    tokenEndpoint: (tenant = tenants.defaultTenantId) => `${origin}/${tenant}/oauth2/v2.0/token`,
    issuer: (tenant, version) =>
      issuer(tenant === undefined ? tenants.defaultTenantId : (tenants.resolve(tenant) ?? tenant), version),
    issuers: () => tenants.ids.flatMap((t) => [issuer(t, 2), issuer(t, 1)]),
    tokenVersion,
    registerClient: (client) => clients.register(client),
    tokenRequests(filter = {}) {
      return requests.filter(
        (r) =>
          (r.kind === 'token' || r.kind === 'imds' || r.kind === 'appservice') &&
          (filter.clientId === undefined || r.clientId?.toLowerCase() === filter.clientId.toLowerCase()) &&
          (filter.tenant === undefined || matchesTenant(r.tenant, filter.tenant)) &&
          (filter.scope === undefined ||
            r.scope === filter.scope ||
            (r.scope === undefined && r.resource !== undefined && `${r.resource}/.default` === filter.scope)),
      )
    },
    failNext: (fault) => faults.add(fault),
    revoke: (token) => void revoked.add(token),
    isRevoked: (token) => revoked.has(token),
    async issueToken(claims) {
      const tenantId = resolveTenant(claims.tenant)
      const clientId = claims.clientId ?? DEFAULT_CLIENT_ID
      const { token } = await ctx.mint({
        tenantId,
        audience: claims.audience,
        clientId,
        roles: claims.roles ?? rolesFor(clients.get(clientId)?.registration.roles, claims.audience),
        clientAuthLevel: '1',
        ...(claims.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: claims.lifetimeSeconds }),
        ...(claims.version === undefined ? {} : { version: claims.version }),
        ...(claims.extra === undefined ? {} : { extra: claims.extra }),
      })
      return token
    },
    reset() {
      requests.length = 0
      faults.clear()
      revoked.clear()
    },
    close: () => server.close(),
  }
  authorityInternals.set(authority, { requestedClaims: (uti) => requestedClaims.get(uti) })
  return authority
}
