import type { CachedToken, TokenCache } from './cache.js'
import { isApptokenError } from './errors.js'
import { isFreshStored } from './refresh-policy.js'
import { isSendableToken } from './token-response.js'
import type { Clock, Logger } from './types.js'

/**
 * The optional second tier behind the in-process one: a cache shared by replicas (Redis). It is a
 * help, never a dependency: a store that fails is logged and the token endpoint is used directly.
 */
export class SharedTier {
  readonly #cache: TokenCache
  readonly #clock: Clock
  readonly #logger: Logger | undefined

  constructor(cache: TokenCache, clock: Clock, logger: Logger | undefined) {
    this.#cache = cache
    this.#clock = clock
    this.#logger = logger
  }

  /**
   * A fresh token from the shared store, or `fetch()`'s (stored for the others). `rejected` is a
   * token an API refused: never taken from the store again.
   */
  async get(
    key: string,
    fetch: () => Promise<CachedToken>,
    rejected: string | undefined,
    signal: AbortSignal,
  ): Promise<CachedToken> {
    const shared = this.#cache
    // A stored token is checked like a fresh one: a tampered or foreign value is a miss.
    const accept = (t: CachedToken) =>
      t.accessToken !== rejected &&
      isFreshStored(t, this.#clock.now()) &&
      isSendableToken(t.accessToken, t.tokenType)
    if (shared.coordinate) {
      let fetched = false
      try {
        return await shared.coordinate(key, () => ((fetched = true), fetch()), { accept, signal })
      } catch (error) {
        if (fetched || isApptokenError(error)) throw error
        this.#failed(error)
        return fetch()
      }
    }
    const found = await this.#call(() => shared.get(key))
    if (found && accept(found)) return found
    const token = await fetch()
    await this.store(key, token)
    return token
  }

  /** Stores a token (one fetched for a claims challenge, say); a failing store is only logged. */
  async store(key: string, token: CachedToken): Promise<void> {
    await this.#call(() => this.#cache.set(key, token))
  }

  async #call<T>(call: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await call()
    } catch (error) {
      this.#failed(error)
      return undefined
    }
  }

  #failed(error: unknown): void {
    this.#logger?.warn?.(
      { event: 'shared_cache_failed', message: (error as Error).message },
      'apptoken: shared cache failed; using the token endpoint directly',
    )
  }
}

/**
 * The shared tier for a provider's `cache` option: none for the in-process `memoryCache` (or no
 * cache), and none with DPoP, whose tokens are bound to this process's key (logged once).
 */
export function sharedTierFor(
  cache: TokenCache | undefined,
  inProcess: boolean,
  dpop: boolean,
  clock: Clock,
  logger: Logger | undefined,
): SharedTier | undefined {
  if (cache === undefined || inProcess) return undefined
  if (dpop) {
    logger?.warn?.(
      { event: 'dpop_shared_cache_skipped' },
      "apptoken: DPoP tokens are bound to this process's key; the shared cache is not used for them",
    )
    return undefined
  }
  return new SharedTier(cache, clock, logger)
}
