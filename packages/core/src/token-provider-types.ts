import type { ProviderHealth } from './health.js'
import type { DpopSigner } from './dpop.js'
import type { TokenCredential } from './token-credential.js'
import type { AccessToken, GetTokenOptions } from './types.js'

/**
 * Counters a daemon can report (the demo prints them).
 *
 * @example
 * ```ts
 * const { tokenRequests, cacheHits, backgroundRefreshes, retries } = provider.stats()
 * setInterval(() => console.log(provider.stats()), 60_000)
 * ```
 */
export interface TokenProviderStats {
  /** Token requests that reached the authority (or the shared cache's fetch), retries excluded. */
  tokenRequests: number
  /** Calls answered from the in-process cache. */
  cacheHits: number
  /** Background refreshes started because a token passed its `refreshAt`. */
  backgroundRefreshes: number
  /** Retries of token requests after a retryable failure (the token endpoint's and managed identity's). */
  retries: number
}

/**
 * Acquires, caches and refreshes app tokens. Create one per app registration and share it.
 *
 * @example
 * ```ts
 * const token = await provider.getToken('https://graph.microsoft.com/.default')
 * ```
 */
export interface TokenProvider {
  /** The app's client ID and default tenant. */
  readonly clientId: string
  readonly tenantId: string
  /** Whether scopes are checked as Entra `/.default` scopes. */
  readonly mode: 'entra' | 'generic'
  getToken(scopes: string | readonly string[], options?: GetTokenOptions): Promise<AccessToken>
  /**
   * The DPoP proof signer, when the provider has the `dpop` option: adapters (through core's
   * request authorizer) sign a proof per request with it.
   */
  readonly dpop?: DpopSigner | undefined
  /** An `@azure/core-auth` TokenCredential over this provider, for Azure SDK clients. */
  toTokenCredential(): TokenCredential
  stats(): TokenProviderStats
  /**
   * For readiness probes: `ok`, `degraded` (a background refresh failed, a valid token is still
   * served) or `failing` (a request got no valid token), with each cached tenant+scopes.
   */
  health(): ProviderHealth
  /** Aborts in-flight token requests (their callers get a `ClosedError`) and closes the HTTP agent. */
  close(): Promise<void>
}
