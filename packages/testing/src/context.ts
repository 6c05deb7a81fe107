import { createHash } from 'node:crypto'
import type { ClientRegistry } from './clients.js'
import type { FaultQueue } from './faults.js'
import type { SigningKey } from './signing-key.js'
import type { TenantDirectory } from './tenants.js'
import type { TokenVersion } from './token-version.js'

/** What the authority's endpoints share. Internal: tests use the public `TestAuthority`. */
export interface AuthorityContext {
  origin: string
  signal: AbortSignal
  now: () => number
  tokenLifetimeSeconds: number
  managedIdentityLifetimeSeconds: number
  refreshInSeconds: number | undefined
  latencyMs: number
  tenants: TenantDirectory
  clients: ClientRegistry
  faults: FaultQueue
  key: SigningKey
  seenAssertions: Set<string>
  /** The `claims` request parameter behind each token, by `uti`, for claims challenges. */
  requestedClaims: Map<string, string>
  tokenEndpoint(tenant: string): string
  /** The issuer of tokens of that version (default 2) for a tenant GUID. */
  issuer(tenantId: string, version?: TokenVersion): string
  /** The token version issued for a resource (`aud`). */
  tokenVersion(resource: string): TokenVersion
  /** Mints an access token; remembers `claims` (the request's JSON) for challenge checks. */
  mint(input: MintInput): Promise<{ token: string; issuedAt: number; expiresAt: number }>
}

export interface MintInput {
  tenantId: string
  audience: string
  clientId: string
  roles: readonly string[]
  clientAuthLevel: '0' | '1' | '2'
  lifetimeSeconds?: number
  /** Default: the version issued for `audience`. */
  version?: TokenVersion
  claims?: string
  extra?: Record<string, unknown>
}

/** A stable GUID derived from text: the service principal object id of an app in a tenant. */
export function stableGuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** Roles for a resource, treating `https://x` and `https://x/` as the same resource. */
export function rolesFor(
  roles: Readonly<Record<string, readonly string[]>> | undefined,
  resource: string,
): readonly string[] {
  if (!roles) return []
  const bare = resource.replace(/\/+$/, '')
  return roles[resource] ?? roles[bare] ?? roles[`${bare}/`] ?? []
}
