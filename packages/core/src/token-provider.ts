import type { CachedToken, TokenCache } from './cache.js'
import { MemoryCache } from './caches/memory-cache.js'
import { LruMap } from './caches/lru-map.js'
import { systemClock } from './clock.js'
import { checkClaimsJson } from './claims.js'
import { AbortError, ApptokenError, ConfigurationError, isApptokenError } from './errors.js'
import { createHttpTransport } from './http.js'
import { checkTenant, resolveOptions, type ResolvedOptions, type TokenProviderOptions } from './options.js'
import { backoffDelay } from './retry.js'
import { normalizeScopes, validateEntraScopes } from './scopes.js'
import { SingleFlight } from './single-flight.js'
import { TokenClient } from './token-client.js'
import { toTokenCredential, type TokenCredential } from './token-credential.js'
import { computeRefreshAt, isSendableToken } from './token-response.js'
import { makeAccessToken } from './access-token.js'
import { tokenCacheKey } from './token-keys.js'
import { ForcedRefreshGate } from './forced-refresh-gate.js'
import type { AccessToken, Clock, GetTokenOptions, Logger } from './types.js'

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
  /** Retries of token requests after a retryable failure. */
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
  /** An `@azure/core-auth` TokenCredential over this provider, for Azure SDK clients. */
  toTokenCredential(): TokenCredential
  stats(): TokenProviderStats
  /** Aborts in-flight requests and closes the HTTP agent. */
  close(): Promise<void>
}

interface Entry {
  /** The cached view (`fromCache: true`) and a settled promise of it: a hit allocates nothing. */
  cached: AccessToken
  hit: Promise<AccessToken>
  fresh: AccessToken
  usableUntil: number
  nextAttemptAt: number
  failures: number
}

interface ScopeInfo {
  scopes: string[]
  scopeKey: string
  defaultKey: string
  /** Cache keys of the other tenants seen with these scopes, by the tenantId callers pass. */
  tenantKeys: Map<string, string>
}

const MEMO_LIMIT = 10_000
const MAX_SKEW = 30_000
/** Tokens living less than this are used (and cached for their short life) but logged. */
const SHORT_LIFETIME_MS = 60_000

class Provider implements TokenProvider {
  readonly clientId: string
  readonly tenantId: string
  readonly mode: 'entra' | 'generic'
  readonly #opts: ResolvedOptions
  readonly #front: LruMap<Entry>
  readonly #shared: TokenCache | undefined
  readonly #flights = new SingleFlight<Entry>()
  readonly #gate: ForcedRefreshGate
  readonly #scopeMemo = new Map<string, ScopeInfo>()
  readonly #tenantMemo = new Set<string>()
  readonly #memoLimit: number
  readonly #clock: Clock
  readonly #logger: Logger | undefined
  readonly #client: TokenClient
  readonly #closing = new AbortController()
  readonly #closeHttp: () => Promise<void>
  readonly #authority: string
  #stats = { tokenRequests: 0, cacheHits: 0, backgroundRefreshes: 0 }

  constructor(options: TokenProviderOptions) {
    this.#opts = resolveOptions(options)
    this.clientId = this.#opts.clientId
    this.tenantId = this.#opts.tenantId
    this.mode = this.#opts.mode
    const cache = options.cache
    const maxEntries = cache instanceof MemoryCache ? cache.maxEntries : 10_000
    this.#front = new LruMap(maxEntries)
    this.#gate = new ForcedRefreshGate(maxEntries)
    // Memos hold every tenant the cache can: clearing them at capacity would push hits to the slow path.
    this.#memoLimit = Math.max(MEMO_LIMIT, 2 * maxEntries + 1)
    this.#shared = cache === undefined || cache instanceof MemoryCache ? undefined : cache
    this.#clock = options.clock ?? systemClock
    this.#logger = options.logger
    const http = createHttpTransport({
      dispatcher: options.dispatcher,
      timeoutMs: this.#opts.timeoutMs,
      maxBodyBytes: this.#opts.maxResponseBytes,
    })
    this.#closeHttp = () => http.close()
    this.#client = new TokenClient(this.#opts, options.credential, http, this.#clock, this.#logger)
    this.#authority = this.#opts.authorityHost ?? this.#opts.tokenEndpoint ?? this.#opts.issuer ?? ''
    this.#tenantMemo.add(this.tenantId)
  }

  getToken(scopes: string | readonly string[], options?: GetTokenOptions): Promise<AccessToken> {
    // The hot path: a memoised scope string and a fresh cached token cost two or three Map lookups.
    if (typeof scopes === 'string') {
      const info = this.#scopeMemo.get(scopes)
      if (info !== undefined) {
        let key: string | undefined
        if (options === undefined) key = info.defaultKey
        else if (
          options.tenantId !== undefined &&
          options.forceRefresh !== true &&
          options.claims === undefined &&
          options.signal === undefined
        ) {
          // Only tenants that passed validation are in tenantKeys: no string is built here.
          key = info.tenantKeys.get(options.tenantId)
        }
        if (key !== undefined) {
          const entry = this.#front.get(key)
          if (entry !== undefined && entry.cached.refreshAt > this.#clock.now()) {
            this.#stats.cacheHits++
            return entry.hit
          }
        }
      }
    }
    return this.#getToken(scopes, options ?? {})
  }

  #key(tenant: string, scopeKey: string): string {
    return tokenCacheKey(this.#authority, this.clientId, tenant, scopeKey)
  }

  #scopeInfo(scopes: string | readonly string[]): ScopeInfo {
    const memoKey = typeof scopes === 'string' ? scopes : undefined
    const known = memoKey === undefined ? undefined : this.#scopeMemo.get(memoKey)
    if (known) return known
    if (
      typeof scopes !== 'string' &&
      !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string'))
    ) {
      throw new ConfigurationError(
        'scopes',
        'it must be a string or an array of strings',
        'pass e.g. "https://graph.microsoft.com/.default"',
      )
    }
    const list = normalizeScopes(scopes)
    if (this.mode === 'entra') validateEntraScopes(list)
    else if (list.length === 0)
      throw new ConfigurationError(
        'scopes',
        'no scope was given',
        'pass the scopes the authorization server expects',
      )
    const scopeKey = list.join(' ')
    const info: ScopeInfo = {
      scopes: list,
      scopeKey,
      defaultKey: this.#key(this.tenantId, scopeKey),
      tenantKeys: new Map(),
    }
    if (memoKey !== undefined) {
      if (this.#scopeMemo.size >= MEMO_LIMIT) this.#scopeMemo.clear()
      this.#scopeMemo.set(memoKey, info)
    }
    return info
  }

  #tenantKey(info: ScopeInfo, tenant: string, asGiven: string | undefined): string {
    const known = info.tenantKeys.get(tenant)
    if (known !== undefined) return known
    const key = this.#key(tenant, info.scopeKey)
    if (info.tenantKeys.size >= this.#memoLimit) info.tenantKeys.clear()
    info.tenantKeys.set(tenant, key)
    if (asGiven !== undefined) info.tenantKeys.set(asGiven, key)
    return key
  }

  #callTenant(tenantId: string | undefined): string {
    if (tenantId === undefined || tenantId === this.tenantId) return this.tenantId
    if (this.#tenantMemo.has(tenantId)) return tenantId
    if (this.mode === 'generic')
      throw new ConfigurationError(
        'tenantId',
        'per-call tenants apply to Entra authorities only',
        'remove tenantId from the call',
      )
    const t = checkTenant('tenantId', tenantId)
    const allowed = this.#opts.allowedTenants
    if (allowed !== '*' && !allowed.has(t.toLowerCase())) {
      throw new ConfigurationError(
        'allowedTenants',
        `tenant "${t}" is not allowed for this provider`,
        `add it to allowedTenants, or pass allowedTenants: '*' to allow any tenant`,
      )
    }
    if (this.#tenantMemo.size >= this.#memoLimit) this.#tenantMemo.clear()
    this.#tenantMemo.add(t)
    return t
  }

  async #getToken(scopes: string | readonly string[], options: GetTokenOptions): Promise<AccessToken> {
    const { signal, forceRefresh = false, rejectedToken } = options
    if (signal?.aborted) throw new AbortError(signal.reason)
    if (this.#closing.signal.aborted) throw new ApptokenError('ERR_CLOSED', 'The token provider was closed')
    const info = this.#scopeInfo(scopes)
    const tenant = this.#callTenant(options.tenantId)
    const key = tenant === this.tenantId ? info.defaultKey : this.#tenantKey(info, tenant, options.tenantId)
    const claims =
      options.claims === undefined || options.claims === '' ? undefined : checkClaimsJson(options.claims)
    const now = this.#clock.now()
    const entry = this.#front.get(key)
    const usable = entry !== undefined && now < entry.usableUntil
    if (usable && claims === undefined) {
      if (!forceRefresh) {
        if (now >= entry.cached.refreshAt) this.#refreshInBackground(key, entry, tenant, info, now)
        this.#stats.cacheHits++
        this.#logger?.debug?.(
          { event: 'cache_hit', tenantId: tenant, scopes: info.scopes },
          'apptoken: token served from cache',
        )
        return entry.cached
      }
      // Someone already replaced the token the API rejected: use theirs, no request.
      if (rejectedToken !== undefined && entry.cached.accessToken !== rejectedToken) return entry.cached
    }
    const flightKey = claims === undefined ? key : `${key}\u0000${claims}`
    // A 401-driven refresh (an adapter names the token the API rejected) is coalesced per token and rate-limited.
    if (rejectedToken !== undefined && usable) {
      const recent = this.#gate.recent(key, rejectedToken, now)
      if (recent !== undefined) {
        if (this.#flights.has(recent.flightKey))
          return (await this.#flights.run(recent.flightKey, () => this.#never(), signal)).fresh
        return entry.cached
      }
      if (!this.#gate.allow(key, now)) {
        this.#logger?.warn?.(
          { event: 'forced_refresh_limited', tenantId: tenant, scopes: info.scopes },
          'apptoken: too many 401-driven refreshes for these scopes; the 401 goes to the caller',
        )
        return entry.cached
      }
      this.#gate.started(key, rejectedToken, flightKey, now)
    }
    const rejected = forceRefresh ? (rejectedToken ?? entry?.cached.accessToken) : undefined
    const acquired = await this.#flights.run(
      flightKey,
      () => this.#acquire(key, tenant, info, claims, rejected),
      signal,
    )
    return acquired.fresh
  }

  /** The task of a flight joined while it runs: never called, the running flight answers. */
  #never(): Promise<Entry> {
    return Promise.reject(new Error('apptoken: joined a finished refresh'))
  }

  #refreshInBackground(key: string, entry: Entry, tenant: string, info: ScopeInfo, now: number): void {
    if (this.#flights.has(key) || now < entry.nextAttemptAt) return
    this.#stats.backgroundRefreshes++
    this.#logger?.debug?.(
      { event: 'refresh_started', tenantId: tenant, scopes: info.scopes },
      'apptoken: background refresh started',
    )
    this.#flights
      .run(key, () => this.#acquire(key, tenant, info, undefined, undefined))
      .catch((error: unknown) => {
        // Keep serving the valid token; try again after a growing pause.
        entry.failures++
        entry.nextAttemptAt =
          this.#clock.now() +
          backoffDelay(entry.failures, {
            maxRetries: 0,
            baseDelayMs: 5_000,
            maxDelayMs: 5 * 60_000,
            maxElapsedMs: 0,
          })
        this.#logger?.warn?.(
          {
            event: 'refresh_failed',
            tenantId: tenant,
            scopes: info.scopes,
            code: (error as { code?: string }).code,
            nextAttemptAt: entry.nextAttemptAt,
          },
          `apptoken: background refresh failed; still serving the valid token: ${(error as Error).message}`,
        )
      })
  }

  async #acquire(
    key: string,
    tenant: string,
    info: ScopeInfo,
    claims: string | undefined,
    rejected: string | undefined,
  ): Promise<Entry> {
    const signal = this.#closing.signal
    const fetch = async (): Promise<CachedToken> => {
      this.#stats.tokenRequests++
      const now = this.#clock.now()
      const issued = await this.#client.request({ tenantId: tenant, scopes: info.scopes, claims, signal })
      if (issued.expiresAt - now < SHORT_LIFETIME_MS)
        this.#logger?.warn?.(
          { event: 'short_lived_token', tenantId: tenant, scopes: info.scopes, expiresAt: issued.expiresAt },
          'apptoken: the authority issued a token that expires in less than a minute',
        )
      const token: CachedToken = {
        accessToken: issued.accessToken,
        tokenType: issued.tokenType ?? 'Bearer',
        expiresAt: issued.expiresAt,
        refreshAt: computeRefreshAt(now, issued.expiresAt, issued.refreshAt),
        scopes: info.scopes,
        tenantId: tenant,
      }
      fetched = true
      return token
    }
    let fetched = false
    const token =
      this.#shared !== undefined && claims === undefined
        ? await this.#viaShared(key, fetch, rejected)
        : await fetch()
    if (this.#shared !== undefined && claims !== undefined)
      await this.#sharedCall(() => this.#shared!.set(key, token))
    const entry = this.#entry(token, fetched)
    this.#front.set(key, entry)
    this.#logger?.info?.(
      {
        event: 'token_acquired',
        source: fetched ? 'authority' : 'shared_cache',
        tenantId: tenant,
        scopes: info.scopes,
        expiresAt: token.expiresAt,
        refreshAt: token.refreshAt,
      },
      fetched ? 'apptoken: token acquired' : 'apptoken: token taken from the shared cache',
    )
    return entry
  }

  async #viaShared(
    key: string,
    fetch: () => Promise<CachedToken>,
    rejected: string | undefined,
  ): Promise<CachedToken> {
    const shared = this.#shared!
    // A stored token is checked like a fresh one: a tampered or foreign value is a miss.
    const accept = (t: CachedToken) =>
      t.accessToken !== rejected && t.refreshAt > this.#clock.now() && isSendableToken(t.accessToken, t.tokenType)
    if (shared.coordinate) {
      let fetched = false
      try {
        return await shared.coordinate(key, () => ((fetched = true), fetch()), {
          accept,
          signal: this.#closing.signal,
        })
      } catch (error) {
        if (fetched || isApptokenError(error)) throw error
        this.#sharedFailed(error)
        return fetch()
      }
    }
    const found = await this.#sharedCall(() => shared.get(key))
    if (found && accept(found)) return found
    const token = await fetch()
    await this.#sharedCall(() => shared.set(key, token))
    return token
  }

  async #sharedCall<T>(call: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await call()
    } catch (error) {
      this.#sharedFailed(error)
      return undefined
    }
  }

  #sharedFailed(error: unknown): void {
    this.#logger?.warn?.(
      { event: 'shared_cache_failed', message: (error as Error).message },
      'apptoken: shared cache failed; using the token endpoint directly',
    )
  }

  #entry(token: CachedToken, fetched: boolean): Entry {
    const now = this.#clock.now()
    const lifetime = Math.max(0, token.expiresAt - now)
    const cached = makeAccessToken(token, true)
    return {
      cached,
      hit: Promise.resolve(cached),
      // A token another replica stored in the shared cache is a cache hit for this caller.
      fresh: fetched ? makeAccessToken(token, false) : cached,
      usableUntil: token.expiresAt - Math.min(MAX_SKEW, lifetime / 10),
      nextAttemptAt: 0,
      failures: 0,
    }
  }

  toTokenCredential(): TokenCredential {
    return toTokenCredential(this)
  }

  stats(): TokenProviderStats {
    return { ...this.#stats, retries: this.#client.retries }
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return
    this.#closing.abort(new ApptokenError('ERR_CLOSED', 'The token provider was closed'))
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
