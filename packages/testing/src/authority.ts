import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ClientRegistry, defaultClient } from './clients.js'
import { rolesFor, stableGuid, type AuthorityContext } from './context.js'
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from './defaults.js'
import { sendJwks, sendOpenIdConfiguration } from './discovery.js'
import { FaultQueue } from './faults.js'
import { listen, sendJson } from './http.js'
import { authorityInternals } from './internals.js'
import { APP_SERVICE_PATH, IMDS_PATH, handleManagedIdentity } from './managed-identity.js'
import { newRecord, type RecordedRequest, type RequestKind } from './recording.js'
import { accessTokenClaims, createSigningKey } from './signing-key.js'
import { TenantDirectory } from './tenants.js'
import { handleTokenRequest } from './token-endpoint.js'
import { checkTokenVersions, tokenVersionFor, v1Issuer, type TokenVersion } from './token-version.js'

export type { TestAuthority } from './authority-types.js'
import type { TestAuthority, TestAuthorityOptions } from './authority-types.js'

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
 *   ...authority.providerOptions, credential: clientSecret(authority.clientSecret),
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

  const providerOptions = Object.freeze({
    authorityHost: origin,
    tenantId: tenants.defaultTenantId,
    clientId: DEFAULT_CLIENT_ID,
  })
  const authority: TestAuthority = {
    ...providerOptions,
    tenantIds: tenants.ids,
    clientSecret: DEFAULT_CLIENT_SECRET,
    providerOptions,
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
