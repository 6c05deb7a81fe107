import { LruMap } from './caches/lru-map.js'

/** Forced refreshes for one rejected token within this window share the first one's result. */
export const COALESCE_WINDOW_MS = 10_000
/** At most this many 401-driven refreshes per tenant+scopes in {@link RATE_WINDOW_MS}. */
export const MAX_FORCED_PER_WINDOW = 5
export const RATE_WINDOW_MS = 60_000

interface Record {
  /** The token the API rejected. */
  rejected: string
  /** The single-flight key of the refresh that replaces it. */
  flightKey: string
  at: number
}

/**
 * Bounds what an API answering 401 can cost: refreshes driven by a rejected token (an adapter's
 * 401 retry) are coalesced per token, and rate-limited per cache key with a sliding window.
 * Plain `forceRefresh` calls that name no rejected token are not limited.
 */
export class ForcedRefreshGate {
  readonly #recent: LruMap<Record>
  readonly #times: LruMap<number[]>

  constructor(maxEntries: number) {
    this.#recent = new LruMap(maxEntries)
    this.#times = new LruMap(maxEntries)
  }

  /** The refresh already started for this rejected token within the window, if any. */
  recent(key: string, rejected: string, now: number): Record | undefined {
    const r = this.#recent.get(key)
    return r !== undefined && r.rejected === rejected && now - r.at < COALESCE_WINDOW_MS ? r : undefined
  }

  /** Whether one more forced refresh for `key` fits the rate limit; counts it when it does. */
  allow(key: string, now: number): boolean {
    const times = (this.#times.get(key) ?? []).filter((t) => now - t < RATE_WINDOW_MS)
    if (times.length >= MAX_FORCED_PER_WINDOW) {
      this.#times.set(key, times)
      return false
    }
    times.push(now)
    this.#times.set(key, times)
    return true
  }

  /** Records the refresh that replaces `rejected`. */
  started(key: string, rejected: string, flightKey: string, now: number): void {
    this.#recent.set(key, { rejected, flightKey, at: now })
  }

  /**
   * What a 401-driven refresh may do: `join` the refresh already started for this token (by its
   * flight key), be `limited` (serve the cached token; the 401 goes to the caller), or `go` (and
   * be recorded as the refresh that replaces `rejected`).
   */
  admit(key: string, rejected: string, flightKey: string, now: number): { join: string } | 'limited' | 'go' {
    const recent = this.recent(key, rejected, now)
    if (recent !== undefined) return { join: recent.flightKey }
    if (!this.allow(key, now)) return 'limited'
    this.started(key, rejected, flightKey, now)
    return 'go'
  }
}
