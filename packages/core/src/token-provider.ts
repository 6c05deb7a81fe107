import { cachedTokenNow } from './cached-token-now.js'
import { ClockMap } from './caches/clock-map.js'
import { memoryStoreOf, type EntryStore } from './caches/memory-cache.js'
import { systemClock } from './clock.js'
import { checkClaimsJson } from './claims.js'
import { AbortError, ClosedError } from './errors.js'
import { ForcedRefreshGate } from './forced-refresh-gate.js'
import { createHttpTransport } from './http.js'
import { HealthTracker, type ProviderHealth } from './health.js'
import { cacheLookupChannel } from './diagnostics-publish.js'
import { resolveOptions, type TokenProviderOptions } from './options.js'
import { tokenState, type Entry } from './refresh-policy.js'
import { sharedTierFor } from './shared-tier.js'
import { TokenAcquirer, type Acquired, type At } from './token-acquirer.js'
import { TokenClient } from './token-client.js'
import { toTokenCredential, type TokenCredential } from './token-credential.js'
import { keyringFor, type ParamKeyring } from './param-keys.js'
import { clientTlsFor } from './credentials/client-tls.js'
import type { DpopSigner } from './dpop.js'
import type { TokenProvider, TokenProviderStats } from './token-provider-types.js'
import type { AccessToken, Clock, GetTokenOptions, Logger } from './types.js'

export type { TokenProvider, TokenProviderStats } from './token-provider-types.js'

class Provider implements TokenProvider {
  readonly clientId: string
  readonly tenantId: string
  readonly mode: 'entra' | 'generic'
  readonly dpop: DpopSigner | undefined
  readonly #front: EntryStore
  readonly #keys: ParamKeyring
  readonly #acquirer: TokenAcquirer
  readonly #gate: ForcedRefreshGate
  readonly #clock: Clock
  readonly #logger: Logger | undefined
  readonly #client: TokenClient
  readonly #closing = new AbortController()
  readonly #closeHttp: () => Promise<void>
  readonly #health: HealthTracker
  /** The entry of the last hit without options, and its scopes (see `#ready`). */
  #last: Entry | undefined
  #lastScopes: string | readonly string[] | undefined
  readonly #stats = { tokenRequests: 0, cacheHits: 0, backgroundRefreshes: 0 }

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
    this.#acquirer = new TokenAcquirer({
      clientId: this.clientId,
      front: this.#front,
      shared: sharedTierFor(
        options.cache,
        memory !== undefined,
        opts.dpop !== undefined,
        this.#clock,
        this.#logger,
      ),
      client: this.#client,
      health: this.#health,
      clock: this.#clock,
      logger: this.#logger,
      stats: this.#stats,
      closing: this.#closing.signal,
    })
  }

  getToken(scopes: string | readonly string[], options?: GetTokenOptions): Promise<AccessToken> {
    return this.#ready(scopes, options)?.hit ?? this.#getToken(scopes, options ?? {})
  }

  /** For adapters (`@apptoken/core/adapter`): the token `getToken` would resolve to at once, without the promise. */
  [cachedTokenNow](scopes: string | readonly string[], options?: GetTokenOptions): AccessToken | undefined {
    return this.#ready(scopes, options)?.cached
  }

  /**
   * The hot path: memoised scopes and tenant, and a fresh cached token, cost a few Map lookups.
   * A signal that has not fired changes nothing for a token that is already here.
   */
  #ready(scopes: string | readonly string[], options: GetTokenOptions | undefined): Entry | undefined {
    let entry: Entry | undefined
    // The last plain hit again (one API per client is the common case): no key to derive.
    const last = this.#last
    if (options === undefined && last !== undefined && last.live && scopes === this.#lastScopes) {
      entry = last
      entry.used = true // the store's second-chance flag, as its get() sets it
    } else {
      if (
        typeof scopes !== 'string' ||
        (options !== undefined &&
          (options.forceRefresh === true || options.claims !== undefined || options.signal?.aborted === true))
      )
        return undefined
      const key = this.#keys.known(options?.params)?.keys.known(scopes, options?.tenantId)
      entry = key === undefined ? undefined : this.#front.get(key)
      if (entry === undefined) return undefined
      if (options === undefined) {
        this.#last = entry
        this.#lastScopes = scopes
      }
    }
    if (tokenState(entry, this.#clock.now()) !== 'fresh') return undefined
    this.#stats.cacheHits++
    // The one check the hot path pays when nobody listens.
    if (cacheLookupChannel.hasSubscribers)
      this.#lookup('hit', options?.tenantId ?? entry.cached.tenantId, scopes)
    return entry
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
        if (state === 'due') this.#acquirer.refreshInBackground(at, entry, now)
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
        return admitted !== 'limited' && this.#acquirer.flights.has(admitted.join)
          ? (await this.#acquirer.flights.run(admitted.join, () => this.#never(), signal)).fresh
          : entry.cached
    }
    // The token being replaced: named by a 401 retry, else the cached one a forced refresh or claims challenge replaces.
    const rejected =
      forceRefresh || claims !== undefined ? (rejectedToken ?? entry?.cached.accessToken) : undefined
    const reason = claims !== undefined ? 'claims' : forceRefresh ? 'forced' : 'missing'
    const acquirer = this.#acquirer
    return (
      await acquirer.flights.run(flightKey, () => acquirer.acquire(at, claims, rejected, reason), signal)
    ).fresh
  }

  #lookup(result: 'hit' | 'miss' | 'stale', tenantId: string, scopes: string | readonly string[]): void {
    cacheLookupChannel.publish({ result, clientId: this.clientId, tenantId, scopes })
  }

  /** The task of a flight joined while it runs: never called, the running flight answers. */
  #never(): Promise<Acquired> {
    return Promise.reject(new Error('apptoken: joined a finished refresh'))
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
