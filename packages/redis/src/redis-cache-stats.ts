import type { BadValueReason } from './token-codec.js'

/**
 * Counters of one `RedisCache`, for a daemon's health report.
 *
 * @example
 * ```ts
 * const { hits, fetches, fallbacks } = cache.stats()
 * ```
 */
export interface RedisCacheStats {
  /** Tokens another replica had already stored, used without a token request. */
  hits: number
  /** Token requests made while holding the lock (at most one replica at a time per token). */
  fetches: number
  /** Times a replica found another one fetching and waited for its token. */
  waits: number
  /** Token requests made without coordination: Redis failed, or a wait ran past `waitMs`. */
  fallbacks: number
  /** Redis commands that failed or timed out. */
  errors: number
  /** Stored values that were not used: unreadable, wrong key, or tampered with. */
  badValues: number
}

/** The log line of each kind of stored value that is not used. */
export const BAD_VALUE_MESSAGES: Record<BadValueReason, string> = {
  malformed: 'apptoken/redis: ignoring a stored token value that is not in apptoken format',
  decrypt_failed:
    'apptoken/redis: ignoring a stored token that does not decrypt; do all replicas use the same encryptionKey?',
  plaintext_refused: 'apptoken/redis: ignoring an unencrypted stored token because encryptionKey is set',
  encrypted_without_key: 'apptoken/redis: ignoring an encrypted stored token because no encryptionKey is set',
}
