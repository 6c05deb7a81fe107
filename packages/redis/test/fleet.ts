import type { CachedToken, Clock, TokenCache, TokenProvider } from '@apptoken/core'
import { redisCache, type RedisCache, type RedisCacheOptions } from '../src/index.js'
import { SCOPE, memoryLogger, providerFor } from './support.js'
import type { Endpoint } from './clients.js'
import type { useTarget } from './topology.js'

type Suite = ReturnType<typeof useTarget>

/** A token request one replica made holding the cross-replica lock: when it ran. */
export interface LockedFetch {
  replica: number
  start: number
  end: number
}

/** One in-process replica of a fleet: its own client, cache, provider and (optional) clock. */
export interface FleetReplica {
  readonly cache: RedisCache
  /** The cache as the provider sees it (recording fetches). */
  readonly shared: TokenCache
  readonly provider: TokenProvider
  readonly log: ReturnType<typeof memoryLogger>
}

/** What a load run saw: every getToken call and every error a caller got. */
export interface LoadResult {
  calls: number
  errors: unknown[]
}

/**
 * `count` replicas, each with its own Redis client, cache and provider, that record every token
 * request made while holding the lock (to check that no two ever overlap) and can run a steady
 * load of getToken calls, as a daemon's request handlers would.
 */
export async function startFleet(
  suite: Suite,
  count: number,
  options: RedisCacheOptions & { clocks?: (Clock | undefined)[]; through?: Endpoint } = {},
) {
  const locked: LockedFetch[] = []
  // When each token was fetched from the authority, by any replica.
  const fetched = new Map<string, number>()
  const replicas: FleetReplica[] = []
  for (let i = 0; i < count; i++) {
    const client = await suite.client(options.through)
    const log = memoryLogger()
    const clock = options.clocks?.[i]
    const { clocks: _, through: __, ...cacheOptions } = options
    const cache = redisCache(client.client, {
      keyPrefix: suite.prefix,
      logger: log.logger,
      ...cacheOptions,
      ...(clock === undefined ? {} : { clock }),
    })
    const recording: TokenCache = {
      get: (key) => cache.get(key),
      set: (key, token) => cache.set(key, token),
      delete: (key) => cache.delete(key),
      coordinate(key, fetch, coordinateOptions) {
        const before = cache.stats().fetches
        return cache.coordinate(
          key,
          async (): Promise<CachedToken> => {
            // The cache counts a fetch made holding the lock just before it starts it.
            const entry = { replica: i, start: performance.now(), end: Infinity }
            if (cache.stats().fetches !== before) locked.push(entry)
            try {
              const token = await fetch()
              fetched.set(token.accessToken, performance.now())
              return token
            } finally {
              entry.end = performance.now()
            }
          },
          coordinateOptions,
        )
      },
    }
    const provider = suite.track(
      providerFor(suite.authority, recording, clock === undefined ? {} : { clock }),
    )
    replicas.push({ cache, shared: recording, provider, log })
  }

  return {
    replicas,
    locked,
    /**
     * One round of "do replicas share tokens through Redis again?": `a` refreshes (as after a
     * 401), then a fresh provider on `b`'s cache (nothing in process) must find in Redis a token
     * some replica fetched after `since` (a hit, no token request of its own).
     */
    async sharesSince(a: FleetReplica, b: FleetReplica, since: number, scope = SCOPE): Promise<boolean> {
      // A plain forced refresh: 401-driven ones (with `rejectedToken`) are rate-limited by core
      // (5 a minute per tenant+scopes), which a probe polled every 100 ms would exhaust.
      await a.provider.getToken(scope, { forceRefresh: true })
      const probe = providerFor(suite.authority, b.shared)
      try {
        const hits = b.cache.stats().hits
        const token = await probe.getToken(scope)
        return b.cache.stats().hits > hits && (fetched.get(token.accessToken) ?? -Infinity) > since
      } finally {
        await probe.close()
      }
    },
    /**
     * Starts every replica calling getToken in a loop (every `everyMs`), each 10th call as a
     * forced refresh after a 401 (`rejectedToken`). Resolves, once `stop()` is called, with the
     * calls made and the errors callers got.
     */
    load({ everyMs = 20, scope = SCOPE, which = replicas } = {}) {
      let running = true
      const result: LoadResult = { calls: 0, errors: [] }
      const loops = which.map(async ({ provider }) => {
        let last: string | undefined
        for (let n = 1; running; n++) {
          try {
            const token = await provider.getToken(
              scope,
              n % 10 === 0 && last !== undefined ? { forceRefresh: true, rejectedToken: last } : {},
            )
            last = token.accessToken
          } catch (error) {
            result.errors.push(error)
          }
          result.calls++
          // Paces the load (a request handler's rate), not a wait for something to happen.
          await new Promise((resolve) => setTimeout(resolve, everyMs))
        }
      })
      return {
        async stop(): Promise<LoadResult> {
          running = false
          await Promise.all(loops)
          return result
        },
      }
    },
  }
}

/** Pairs of locked fetches that overlapped in time, among those `within` keeps. */
export function overlapping(fetches: LockedFetch[], within: (f: LockedFetch) => boolean = () => true) {
  const list = fetches.filter(within).sort((a, b) => a.start - b.start)
  const pairs: [LockedFetch, LockedFetch][] = []
  let latest: LockedFetch | undefined
  for (const fetch of list) {
    if (latest !== undefined && fetch.start < latest.end) pairs.push([latest, fetch])
    if (latest === undefined || fetch.end > latest.end) latest = fetch
  }
  return pairs
}
