import type { CachedToken, TokenCache } from '../cache.js'
import { ConfigurationError } from '../errors.js'
import { LruMap } from './lru-map.js'

/**
 * Options of {@link memoryCache}.
 *
 * @example
 * ```ts
 * const options: MemoryCacheOptions = { maxEntries: 1_000 } // a few APIs in a few tenants
 * createTokenProvider({ tenantId, clientId, credential, cache: memoryCache(options) })
 * ```
 */
export interface MemoryCacheOptions {
  /** Most tokens kept (one per tenant + scope set). Default 10,000; least recently used go first. */
  maxEntries?: number
}

/**
 * The in-process cache. A provider given one uses it as its only tier.
 *
 * @example
 * ```ts
 * const cache = new MemoryCache({ maxEntries: 1_000 }) // same as memoryCache({ maxEntries: 1_000 })
 * createTokenProvider({ tenantId, clientId, credential, cache })
 * ```
 */
export class MemoryCache implements TokenCache {
  readonly maxEntries: number
  readonly #map: LruMap<CachedToken>

  constructor(options: MemoryCacheOptions = {}) {
    const max = options.maxEntries ?? 10_000
    if (!Number.isInteger(max) || max < 1) {
      throw new ConfigurationError(
        'maxEntries',
        `${String(max)} is not a positive integer`,
        'pass a whole number such as 10000',
      )
    }
    this.maxEntries = max
    this.#map = new LruMap(max)
  }

  get(key: string): CachedToken | undefined {
    return this.#map.get(key)
  }

  set(key: string, token: CachedToken): void {
    this.#map.set(key, token)
  }

  delete(key: string): void {
    this.#map.delete(key)
  }
}

/**
 * The default cache: in process, bounded, O(1) lookups.
 *
 * @example
 * ```ts
 * createTokenProvider({ ..., cache: memoryCache({ maxEntries: 50_000 }) })
 * ```
 */
export function memoryCache(options?: MemoryCacheOptions): MemoryCache {
  return new MemoryCache(options)
}
