import type { ConformanceCore } from './runner.js'

/**
 * A token as a cache stores it (`@apptoken/core`'s `CachedToken`).
 *
 * @example
 * ```ts
 * const token: ConformanceCachedToken = { accessToken: 'eyJ...', tokenType: 'Bearer', expiresAt, refreshAt, scopes: ['api://a/.default'], tenantId }
 * ```
 */
export interface ConformanceCachedToken {
  accessToken: string
  tokenType: string
  expiresAt: number
  refreshAt: number
  scopes: string[]
  tenantId: string
}

/**
 * A `TokenCache` as the suite drives it (`@apptoken/core`'s `TokenCache`).
 *
 * @example
 * ```ts
 * import * as core from '@apptoken/core'
 * const cache: ConformanceCache = core.memoryCache() // or redisCache(client, { encryptionKey }), or your own
 * ```
 */
export interface ConformanceCache {
  get(key: string): ConformanceCachedToken | undefined | Promise<ConformanceCachedToken | undefined>
  set(key: string, token: ConformanceCachedToken): void | Promise<void>
  delete(key: string): void | Promise<void>
  coordinate?(
    key: string,
    fetch: () => Promise<ConformanceCachedToken>,
    options: { accept(token: ConformanceCachedToken): boolean; signal: AbortSignal },
  ): Promise<ConformanceCachedToken>
}

/**
 * A cache under test.
 *
 * @example
 * ```ts
 * import { describe, it, beforeAll, afterAll } from 'vitest'
 * import * as core from '@apptoken/core'
 * const subject: CacheUnderTest = { name: 'my DynamoDB cache', core, createCache: () => core.memoryCache() } // your own TokenCache here
 * cacheConformance(subject, { describe, it, beforeAll, afterAll })
 * ```
 */
export interface CacheUnderTest {
  name: string
  core: ConformanceCore
  /** A cache over an empty (or freshly namespaced) store; called once per test. */
  createCache(): ConformanceCache | Promise<ConformanceCache>
  /**
   * Makes the store fail from now on (stop the server, revoke access), for the "a failing store
   * never fails the caller" test. Without it the suite wraps the cache so that every call throws.
   */
  breakStore?(cache: ConformanceCache): Promise<void>
  /** Undoes `breakStore` after that test. */
  repairStore?(cache: ConformanceCache): Promise<void>
}
