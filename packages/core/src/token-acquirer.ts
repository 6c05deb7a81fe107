import type { CachedToken } from './cache.js'
import type { EntryStore } from './caches/memory-cache.js'
import { publishRefreshFailed, refreshStartChannel } from './diagnostics-publish.js'
import type { HealthTracker } from './health.js'
import { reportAcquired } from './acquired-report.js'
import { makeEntry, mayRefresh, refreshFailed, tokenState, type Entry } from './refresh-policy.js'
import { makeAccessToken } from './access-token.js'
import type { SharedTier } from './shared-tier.js'
import { SingleFlight } from './single-flight.js'
import type { TokenClient } from './token-client.js'
import type { ScopeInfo } from './token-keys.js'
import type { CheckedParams } from './token-params.js'
import type { TokenRequestContext } from './diagnostics.js'
import type { AccessToken, Clock, Logger } from './types.js'

/** What a token request's callers get: the new entry, and the token as the callers that waited see it. */
export interface Acquired {
  entry: Entry
  /** `fromCache: false` when it came from the authority; a shared-cache token is a cache hit. */
  fresh: AccessToken
}

/** Where one call's token lives: its cache key, tenant, scopes and request parameters. */
export interface At {
  key: string
  tenant: string
  info: ScopeInfo
  params: CheckedParams
  sharedKey(): string
}

/** The provider's counters the acquirer adds to. */
export interface AcquirerStats {
  tokenRequests: number
  backgroundRefreshes: number
}

/** What the acquirer works with, all owned by the provider. */
export interface AcquirerParts {
  clientId: string
  front: EntryStore
  shared: SharedTier | undefined
  client: TokenClient
  health: HealthTracker
  clock: Clock
  logger: Logger | undefined
  stats: AcquirerStats
  /** Aborted by `close()`: every token request in flight stops. */
  closing: AbortSignal
}

/**
 * Gets a token that is not in the in-process cache (from the shared tier or the authority), stores
 * it there, records health and tells listeners; one request per key at a time (`flights`). Also
 * starts the background refresh of a token past its `refreshAt`.
 */
export class TokenAcquirer {
  readonly flights = new SingleFlight<Acquired>()
  readonly #p: AcquirerParts

  constructor(parts: AcquirerParts) {
    this.#p = parts
  }

  /** Refreshes `entry` in the background unless a request for it runs or its backoff holds. */
  refreshInBackground(at: At, entry: Entry, now: number): void {
    const { key, tenant, info } = at
    const { clientId, logger } = this.#p
    if (this.flights.has(key) || !mayRefresh(entry, now)) return
    this.#p.stats.backgroundRefreshes++
    if (refreshStartChannel.hasSubscribers)
      refreshStartChannel.publish({ clientId, tenantId: tenant, scopes: info.scopes })
    logger?.debug?.(
      { event: 'refresh_started', tenantId: tenant, scopes: info.scopes },
      'apptoken: background refresh started',
    )
    this.flights
      .run(key, () => this.acquire(at, undefined, undefined, 'background'))
      .catch((error: unknown) => {
        // Keep serving the valid token; try again after a growing pause.
        const failedAt = this.#p.clock.now()
        const nextAttemptAt = refreshFailed(entry, failedAt)
        this.#p.health.failed(key, tenant, info.scopes, error, failedAt, true)
        publishRefreshFailed(clientId, tenant, info.scopes, error, nextAttemptAt)
        logger?.warn?.(
          {
            event: 'refresh_failed',
            tenantId: tenant,
            scopes: info.scopes,
            code: (error as { code?: string }).code,
            nextAttemptAt,
          },
          `apptoken: background refresh failed; still serving the valid token: ${(error as Error).message}`,
        )
      })
  }

  /** One token request (callers share it through `flights`); `rejected` is the token it replaces. */
  async acquire(
    at: At,
    claims: string | undefined,
    rejected: string | undefined,
    reason: TokenRequestContext['reason'],
  ): Promise<Acquired> {
    const { key, tenant, info, params } = at
    const { shared, clock, front, health, closing: signal } = this.#p
    let fetched = false
    const fetch = async (): Promise<CachedToken> => {
      this.#p.stats.tokenRequests++
      const token = await this.#p.client.token({
        tenantId: tenant,
        scopes: info.scopes,
        claims,
        signal,
        rejectedToken: rejected,
        reason,
        params,
      })
      fetched = true
      return token
    }
    let token: CachedToken
    try {
      token =
        shared !== undefined && claims === undefined
          ? await shared.get(at.sharedKey(), fetch, rejected, signal)
          : await fetch()
      if (shared !== undefined && claims !== undefined) await shared.store(at.sharedKey(), token)
    } catch (error) {
      // Once per request, however many callers wait on it; a background refresh records its own.
      if (reason !== 'background' && (error as { code?: string }).code !== 'ERR_CLOSED') {
        const now = clock.now()
        const current = front.get(key)
        health.failed(
          key,
          tenant,
          info.scopes,
          error,
          now,
          current !== undefined && tokenState(current, now) !== 'unusable',
        )
      }
      throw error
    }
    const entry = makeEntry(token, clock.now())
    front.set(key, entry)
    health.succeeded(key, tenant, info.scopes)
    reportAcquired(this.#p.logger, this.#p.clientId, tenant, info.scopes, token, fetched)
    return { entry, fresh: fetched ? makeAccessToken(token, false) : entry.cached }
  }
}
