import type { CachedToken } from './cache.js'
import { ClockMap } from './caches/clock-map.js'
import { memoryStoreOf, type EntryStore } from './caches/memory-cache.js'
import { systemClock } from './clock.js'
import { checkClaimsJson } from './claims.js'
import { AbortError, ClosedError } from './errors.js'
import { ForcedRefreshGate } from './forced-refresh-gate.js'
import { createHttpTransport } from './http.js'
import { HealthTracker, type ProviderHealth } from './health.js'
import {
  cacheLookupChannel,
  publishRefreshFailed,
  refreshStartChannel,
} from './diagnostics-publish.js'
import { reportAcquired } from './acquired-report.js'
import { resolveOptions, type TokenProviderOptions } from './options.js'
import { makeEntry, mayRefresh, refreshFailed, tokenState, type Entry } from './refresh-policy.js'
import { makeAccessToken } from './access-token.js'
import { sharedTierFor, type SharedTier } from './shared-tier.js'
import { SingleFlight } from './single-flight.js'
import { TokenClient } from './token-client.js'
import { toTokenCredential, type TokenCredential } from './token-credential.js'
import type { ScopeInfo } from './token-keys.js'
import { keyringFor, type ParamKeyring } from './param-keys.js'
import { clientTlsFor } from './credentials/client-tls.js'
import type { DpopSigner } from './dpop.js'
import type { CheckedParams } from './token-params.js'
import type { TokenProvider, TokenProviderStats } from './token-provider-types.js'
import type { TokenRequestContext } from './diagnostics.js'
import type { AccessToken, Clock, GetTokenOptions, Logger } from './types.js'

export type { TokenProvider, TokenProviderStats } from './token-provider-types.js'

/** What a token request's callers get: the new entry, and the token as the callers that waited see it. */
interface Acquired {
  entry: Entry
  /** `fromCache: false` when it came from the authority; a shared-cache token is a cache hit. */
  fresh: AccessToken
}

/** Where one call's token lives: its cache key, tenant, scopes and request parameters. */
interface At {
  key: string
  tenant: string
  info: ScopeInfo
  params: CheckedParams
  sharedKey(): string
}

class Provider implements TokenProvider {
  readonly clientId: string
  readonly tenantId: string
  readonly mode: 'entra' | 'generic'
  readonly dpop: DpopSigner | undefined
  readonly #front: EntryStore
  readonly #shared: SharedTier | undefined
  readonly #keys: ParamKeyring
  readonly #flights = new SingleFlight<Acquired>()
  readonly #gate: ForcedRefreshGate
  readonly #clock: Clock
  readonly #logger: Logger | undefined
  readonly #client: TokenClient
  readonly #closing = new AbortController()
  readonly #closeHttp: () => Promise<void>
  readonly #health: HealthTracker
  #stats = { tokenRequests: 0, cacheHits: 0, backgroundRefreshes: 0 }

  constructor(options: TokenProviderOptions) {
    const opts = resolveOptions(options)
    this.clientId = opts.clientId
    this.tenantId = opts.tenantId
    this.mode = opts.mode
    this.#clock = options.clock ?? systemClock
    this.#logger = options.logger
    const memory = memoryStoreOf(options.cache)
    const maxEntries = memory?.maxEntries ?? 10_000
    this.#front = memory?.store ?? new ClockMap<Entry>(maxEntries)
    this.dpop = opts.dpop
    this.#shared = sharedTierFor(options.cache, memory !== undefined, opts.dpop !== undefined, this.#clock, this.#logger)
    this.#gate = new ForcedRefreshGate(maxEntries)
    this.#health = new HealthTracker(maxEntries)
    this.#keys = keyringFor(opts, maxEntries)
    const http = createHttpTransport({
      dispatcher: options.dispatcher,
      timeoutMs: opts.timeoutMs,
      maxBodyBytes: opts.maxResponseBytes,
      clock: this.#clock,
      tls: clientTlsFor(options),
    })
    this.#closeHttp = () => http.close()
    this.#client = new TokenClient(opts, options.credential, http, this.#clock, this.#logger)
  }

  getToken(scopes: string | readonly string[], options?: GetTokenOptions): Promise<AccessToken> {
    // The hot path: memoised scopes and tenant, and a fresh cached token, cost a few Map lookups.
    // A signal that has not fired changes nothing for a token that is already here.
    if (
      typeof scopes === 'string' &&
      (options === undefined ||
        (options.forceRefresh !== true && options.claims === undefined && options.signal?.aborted !== true))
    ) {
      const key = this.#keys.known(options?.params)?.keys.known(scopes, options?.tenantId)
      if (key !== undefined) {
        const entry = this.#front.get(key)
        if (entry !== undefined && tokenState(entry, this.#clock.now()) === 'fresh') {
          this.#stats.cacheHits++
          // The one check the hot path pays when nobody listens.
          if (cacheLookupChannel.hasSubscribers)
            this.#lookup('hit', options?.tenantId ?? entry.cached.tenantId, scopes)
          return entry.hit
        }
      }
    }
    return this.#getToken(scopes, options ?? {})
  }

  async #getToken(scopes: string | readonly string[], options: GetTokenOptions): Promise<AccessToken> {
    const { signal, forceRefresh = false, rejectedToken } = options
    if (signal?.aborted) throw new AbortError(signal.reason)
    if (this.#closing.signal.aborted) throw new ClosedError()
    const { keys, params } = this.#keys.for(options.params)
    const info = keys.scopeInfo(scopes)
    const tenant = keys.tenant(info, options.tenantId)
    const key = keys.key(info, tenant, options.tenantId)
    const at: At = { key, tenant, info, params, sharedKey: () => keys.sharedKey(info, tenant) }
    const claims =
      options.claims === undefined || options.claims === '' ? undefined : checkClaimsJson(options.claims)
    const now = this.#clock.now()
    const entry = this.#front.get(key)
    const state = entry === undefined ? 'unusable' : tokenState(entry, now)
    const usable = entry !== undefined && state !== 'unusable'
    if (usable && claims === undefined) {
      if (!forceRefresh) {
        if (state === 'due') this.#refreshInBackground(at, entry, now)
        this.#stats.cacheHits++
        if (cacheLookupChannel.hasSubscribers)
          this.#lookup(state === 'due' ? 'stale' : 'hit', tenant, info.scopes)
        this.#logger?.debug?.(
          { event: 'cache_hit', tenantId: tenant, scopes: info.scopes },
          'apptoken: token served from cache',
        )
        return entry.cached
      }
      // Someone already replaced the token the API rejected: use theirs, no request.
      if (rejectedToken !== undefined && entry.cached.accessToken !== rejectedToken) return entry.cached
    }
    if (!usable && !forceRefresh && claims === undefined && cacheLookupChannel.hasSubscribers)
      this.#lookup('miss', tenant, info.scopes)
    const flightKey = claims === undefined ? key : `${key}\u0000${claims}`
    // A 401-driven refresh (an adapter names the token the API rejected) is coalesced per token and rate-limited.
    if (rejectedToken !== undefined && usable) {
      const admitted = this.#gate.admit(key, rejectedToken, flightKey, now)
      if (admitted === 'limited')
        this.#logger?.warn?.(
          { event: 'forced_refresh_limited', tenantId: tenant, scopes: info.scopes },
          'apptoken: too many 401-driven refreshes for these scopes; the 401 goes to the caller',
        )
      if (admitted !== 'go')
        return admitted !== 'limited' && this.#flights.has(admitted.join)
          ? (await this.#flights.run(admitted.join, () => this.#never(), signal)).fresh
          : entry.cached
    }
    // The token being replaced: named by a 401 retry, else the cached one a forced refresh or claims challenge replaces.
    const rejected = forceRefresh || claims !== undefined ? (rejectedToken ?? entry?.cached.accessToken) : undefined
    const reason = claims !== undefined ? 'claims' : forceRefresh ? 'forced' : 'missing'
    const acquired = await this.#flights.run(flightKey, () => this.#acquire(at, claims, rejected, reason), signal)
    return acquired.fresh
  }

  #lookup(result: 'hit' | 'miss' | 'stale', tenantId: string, scopes: string | readonly string[]): void {
    cacheLookupChannel.publish({ result, clientId: this.clientId, tenantId, scopes })
  }

  /** The task of a flight joined while it runs: never called, the running flight answers. */
  #never(): Promise<Acquired> {
    return Promise.reject(new Error('apptoken: joined a finished refresh'))
  }

  #refreshInBackground(at: At, entry: Entry, now: number): void {
    const { key, tenant, info } = at
    if (this.#flights.has(key) || !mayRefresh(entry, now)) return
    this.#stats.backgroundRefreshes++
    if (refreshStartChannel.hasSubscribers)
      refreshStartChannel.publish({ clientId: this.clientId, tenantId: tenant, scopes: info.scopes })
    this.#logger?.debug?.(
      { event: 'refresh_started', tenantId: tenant, scopes: info.scopes },
      'apptoken: background refresh started',
    )
    this.#flights
      .run(key, () => this.#acquire(at, undefined, undefined, 'background'))
      .catch((error: unknown) => {
        // Keep serving the valid token; try again after a growing pause.
        const failedAt = this.#clock.now()
        const nextAttemptAt = refreshFailed(entry, failedAt)
        this.#health.failed(key, tenant, info.scopes, error, failedAt, true)
        publishRefreshFailed(this.clientId, tenant, info.scopes, error, nextAttemptAt)
        this.#logger?.warn?.(
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

  async #acquire(
    at: At,
    claims: string | undefined,
    rejected: string | undefined,
    reason: TokenRequestContext['reason'],
  ): Promise<Acquired> {
    const { key, tenant, info, params } = at
    const signal = this.#closing.signal
    let fetched = false
    const fetch = async (): Promise<CachedToken> => {
      this.#stats.tokenRequests++
      const token = await this.#client.token({
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
    const shared = this.#shared
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
        const now = this.#clock.now()
        const current = this.#front.get(key)
        const valid = current !== undefined && tokenState(current, now) !== 'unusable'
        this.#health.failed(key, tenant, info.scopes, error, now, valid)
      }
      throw error
    }
    const entry = makeEntry(token, this.#clock.now())
    this.#front.set(key, entry)
    this.#health.succeeded(key, tenant, info.scopes)
    reportAcquired(this.#logger, this.clientId, tenant, info.scopes, token, fetched)
    return { entry, fresh: fetched ? makeAccessToken(token, false) : entry.cached }
  }

  toTokenCredential(): TokenCredential {
    return toTokenCredential(this)
  }

  health(): ProviderHealth {
    return this.#health.health((key) => this.#front.get(key), this.#clock.now())
  }

  stats(): TokenProviderStats {
    return { ...this.#stats, retries: this.#client.retries }
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return
    this.#closing.abort(new ClosedError())
    await this.#closeHttp()
  }
}

/**
 * Creates a token provider. Every option is checked here, so a mistake fails at startup with a
 * {@link ConfigurationError} that names the option and the fix.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({
 *   tenantId: 'contoso.onmicrosoft.com',
 *   clientId: process.env.AZURE_CLIENT_ID!,
 *   credential: clientSecret(process.env.AZURE_CLIENT_SECRET!),
 * })
 * const { accessToken } = await provider.getToken('https://graph.microsoft.com/.default')
 * ```
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  return new Provider(options)
}
