/**
 * A token as stored in a cache: plain data, safe to serialise (encrypt it at rest if shared).
 *
 * @example
 * ```ts
 * const token: CachedToken = { accessToken: jwt, tokenType: 'Bearer', expiresAt, refreshAt, scopes: ['api://my-api/.default'], tenantId }
 * await store.set(key, JSON.stringify(token)) // plain data (encrypt it if the store is shared)
 * ```
 */
export interface CachedToken {
  accessToken: string
  tokenType: string
  expiresAt: number
  refreshAt: number
  scopes: string[]
  tenantId: string
}

/**
 * What the provider asks of a shared cache when it needs a token it does not hold.
 *
 * @example
 * ```ts
 * const cache: Pick<TokenCache, 'coordinate'> = {
 *   async coordinate(key: string, fetch: () => Promise<CachedToken>, options: CoordinateOptions) {
 *     const found = await store.get(key) // a real shared cache also locks the key, giving up when options.signal aborts
 *     return found !== undefined && options.accept(found) ? found : fetch()
 *   },
 * }
 * ```
 */
export interface CoordinateOptions {
  /** Whether a token found in the shared cache is good enough (fresh, and not the rejected one). */
  accept(token: CachedToken): boolean
  /** Abort signal of the shared request. */
  signal: AbortSignal
}

/**
 * A cache strategy. The provider always keeps its own in-process tier in front, so a cached
 * token costs a Map lookup; a cache passed as `cache` that is not a `memoryCache` is used as a
 * second, shared tier behind it (see `@apptoken/redis`).
 *
 * @example
 * ```ts
 * const cache: TokenCache = { get: (k) => store.get(k), set: (k, t) => void store.set(k, t), delete: (k) => void store.delete(k) }
 * ```
 */
export interface TokenCache {
  get(key: string): CachedToken | undefined | Promise<CachedToken | undefined>
  set(key: string, token: CachedToken): void | Promise<void>
  delete(key: string): void | Promise<void>
  /**
   * Optional distributed single-flight: return an acceptable token from the shared store, or run
   * `fetch` (at most one process at a time per key) and store its result.
   */
  coordinate?(
    key: string,
    fetch: () => Promise<CachedToken>,
    options: CoordinateOptions,
  ): Promise<CachedToken>
}
