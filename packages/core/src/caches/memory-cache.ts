import type { CachedToken, TokenCache } from '../cache.js'
import { ConfigurationError } from '../errors.js'
import { makeEntry, type Entry } from '../refresh-policy.js'
import { ClockMap } from './clock-map.js'

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

/** The brand a provider recognises a memory cache by, even one from another copy of this package. */
const STORE = Symbol.for('apptoken.memoryCache.store')

/** The store behind a {@link MemoryCache}, as a provider uses it. */
export interface EntryStore {
  get(key: string): Entry | undefined
  set(key: string, entry: Entry): void
  delete(key: string): boolean
}

/**
 * The in-process cache: bounded, least recently used first out, O(1) lookups. A provider given
 * one keeps its tokens in it (and one it creates itself when given none), so what the cache holds
 * is what the provider serves: `size` counts them and `delete`/`clear` evict them.
 *
 * @example
 * ```ts
 * const cache = new MemoryCache({ maxEntries: 1_000 }) // same as memoryCache({ maxEntries: 1_000 })
 * const provider = createTokenProvider({ tenantId, clientId, credential, cache })
 * await provider.getToken(scopes)
 * cache.size // 1
 * ```
 */
export class MemoryCache implements TokenCache {
  readonly maxEntries: number
  readonly #map: ClockMap<Entry>

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
    this.#map = new ClockMap(max)
    Object.defineProperty(this, STORE, { value: (): EntryStore => this.#map })
  }

  /** Tokens held. */
  get size(): number {
    return this.#map.size
  }

  get(key: string): CachedToken | undefined {
    const token = this.#map.get(key)?.cached
    if (token === undefined) return undefined
    const { accessToken, tokenType, expiresAt, refreshAt, scopes, tenantId } = token
    return { accessToken, tokenType, expiresAt, refreshAt, scopes: [...scopes], tenantId }
  }

  set(key: string, token: CachedToken): void {
    this.#map.set(key, makeEntry(token, Date.now()))
  }

  delete(key: string): void {
    this.#map.delete(key)
  }

  /** Forgets every token: the next `getToken` of each asks the authority again. */
  clear(): void {
    this.#map.clear()
  }
}

/**
 * The store of a memory cache, recognised by its brand rather than `instanceof`, so a cache made
 * by another installed copy of `@apptoken/core` works too. `undefined` for any other cache.
 */
export function memoryStoreOf(cache: unknown): { store: EntryStore; maxEntries: number } | undefined {
  const open = (cache as { [STORE]?: unknown } | null | undefined)?.[STORE]
  if (typeof open !== 'function') return undefined
  return { store: (open as () => EntryStore)(), maxEntries: (cache as MemoryCache).maxEntries }
}

/**
 * The default cache: in process, bounded, O(1) lookups.
 *
 * @example
 * ```ts
 * createTokenProvider({ tenantId, clientId, credential, cache: memoryCache({ maxEntries: 50_000 }) })
 * ```
 */
export function memoryCache(options?: MemoryCacheOptions): MemoryCache {
  return new MemoryCache(options)
}
