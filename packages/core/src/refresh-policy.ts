import type { CachedToken } from './cache.js'
import { makeAccessToken } from './access-token.js'
import { backoffDelay, type Backoff } from './retry.js'
import type { AccessToken } from './types.js'

const TWO_HOURS = 2 * 3600_000
const FIVE_MINUTES = 5 * 60_000
/** A token is not handed out during the last tenth of its life, and never in its last 30 s. */
const MAX_SKEW = 30_000
/** After a failed background refresh: the next try waits 10 s, 20 s, ... up to 5 min (equal jitter). */
const REFRESH_BACKOFF: Backoff = { baseDelayMs: 5_000, maxDelayMs: 5 * 60_000 }

/**
 * When to refresh: the server's `refresh_in` if it sent one; else half-way for tokens of two
 * hours or more; else five minutes before expiry (but never before half-way).
 *
 * @example
 * ```ts
 * computeRefreshAt(now, now + 3_600_000, undefined) // now + 55 min
 * computeRefreshAt(now, now + 86_400_000, undefined) // now + 12 h
 * ```
 */
export function computeRefreshAt(
  now: number,
  expiresAt: number,
  serverRefreshAt: number | undefined,
): number {
  if (serverRefreshAt !== undefined) return serverRefreshAt
  const lifetime = expiresAt - now
  if (lifetime >= TWO_HOURS) return now + lifetime / 2
  return Math.max(now + lifetime / 2, expiresAt - FIVE_MINUTES)
}

/** How long before expiry a token stops being handed out, so it still works on arrival. */
function skewOf(expiresAt: number, now: number): number {
  return Math.round(Math.min(MAX_SKEW, Math.max(0, expiresAt - now) / 10))
}

/** Until then a token is served without a refresh: its `refreshAt`, but never past its usable life. */
function freshUntil(token: CachedToken, skewMs: number): number {
  return Math.min(token.refreshAt, token.expiresAt - skewMs)
}

/** One token in the provider's in-process tier, with its refresh bookkeeping. */
export interface Entry {
  /** The cached view (`fromCache: true`) and a settled promise of it: a hit allocates nothing. */
  readonly cached: AccessToken
  readonly hit: Promise<AccessToken>
  /** Until then the token is served without a refresh: `min(refreshAt, expiresAt - skewMs)`. */
  readonly freshUntil: number
  /** The token is not handed out in its last `skewMs` (a tenth of its life, at most 30 s). */
  readonly skewMs: number
  /** No background refresh before this (backoff after failed ones). */
  nextAttemptAt: number
  failures: number
  /** Read since the cache last looked (its second-chance eviction flag). */
  used: boolean
  /** Still the store's entry for its key (not replaced, deleted or evicted). */
  live: boolean
}

/**
 * Builds the entry for a token that just arrived.
 *
 * @example
 * ```ts
 * const entry = makeEntry(token, clock.now())
 * ```
 */
export function makeEntry(token: CachedToken, now: number): Entry {
  const cached = makeAccessToken(token, true)
  const skewMs = skewOf(token.expiresAt, now)
  return {
    cached,
    hit: Promise.resolve(cached),
    freshUntil: freshUntil(token, skewMs),
    skewMs,
    nextAttemptAt: 0,
    failures: 0,
    used: false,
    live: false,
  }
}

/** `fresh`: serve it; `due`: serve it and refresh in the background; `unusable`: fetch a new one. */
export type TokenState = 'fresh' | 'due' | 'unusable'

/**
 * Whether a cached token may be served at `now`. The only place that decides it: the hot path,
 * the slow path and the shared tier all ask here.
 *
 * @example
 * ```ts
 * if (entry !== undefined && tokenState(entry, clock.now()) === 'fresh') return entry.hit
 * ```
 */
export function tokenState(entry: Entry, now: number): TokenState {
  if (now < entry.freshUntil) return 'fresh'
  return now < entry.cached.expiresAt - entry.skewMs ? 'due' : 'unusable'
}

/**
 * Whether a token read from a shared cache is worth taking: it would be `fresh` as an entry
 * (same rule as {@link tokenState}).
 *
 * @example
 * ```ts
 * if (found !== undefined && isFreshStored(found, clock.now())) return found
 * ```
 */
export function isFreshStored(token: CachedToken, now: number): boolean {
  return now < freshUntil(token, skewOf(token.expiresAt, now))
}

/** Whether a background refresh may start now (none is backing off after a failure). */
export function mayRefresh(entry: Entry, now: number): boolean {
  return now >= entry.nextAttemptAt
}

/**
 * Records a failed background refresh: the valid token keeps being served, and the next attempt
 * waits a growing pause. Returns when that is.
 *
 * @example
 * ```ts
 * const nextAttemptAt = refreshFailed(entry, clock.now())
 * ```
 */
export function refreshFailed(entry: Entry, now: number): number {
  entry.failures++
  entry.nextAttemptAt = now + backoffDelay(entry.failures, REFRESH_BACKOFF)
  return entry.nextAttemptAt
}
