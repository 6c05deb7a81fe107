import { randomBytes } from 'node:crypto'
import {
  AbortError,
  type CachedToken,
  type Clock,
  type CoordinateOptions,
  type TokenCache,
} from '@apptoken/core'
import { deriveKeys } from './encryption-key.js'
import { Health } from './health.js'
import { entryKeys, type EntryKeys } from './keys.js'
import { adaptClient, reportUnhandledClientErrors, type RedisCommands } from './redis-client.js'
import {
  resolveRedisCacheOptions,
  type RedisCacheOptions,
  type ResolvedRedisCacheOptions,
} from './redis-cache-options.js'
import { RELEASE_SCRIPT, RENEW_SCRIPT, STORE_SCRIPT } from './scripts.js'
import { BAD_VALUE_MESSAGES, type RedisCacheStats } from './redis-cache-stats.js'
import { TokenCodec, type BadValueReason } from './token-codec.js'
import { withTimeout } from './timers.js'

/** What a read found: the raw value (for the store's compare step) and the token, if usable. */
interface Seen {
  raw: string | undefined
  token: CachedToken | undefined
}

const NOTHING: Seen = { raw: undefined, token: undefined }
const FIRST_POLL_MS = 10
const MAX_POLL_MS = 200

/**
 * A token cache on Redis, shared by every replica of a daemon. Create it with {@link redisCache};
 * pass it as the provider's `cache`.
 *
 * @example
 * ```ts
 * const cache: RedisCache = redisCache(client, { encryptionKey })
 * createTokenProvider({ ...options, cache })
 * setInterval(() => logger.info(cache.stats(), 'token cache'), 60_000)
 * ```
 */
export class RedisCache implements TokenCache {
  readonly #redis: RedisCommands
  readonly #options: ResolvedRedisCacheOptions
  readonly #codec: TokenCodec
  readonly #health: Health
  readonly #clock: Clock
  readonly #stats: RedisCacheStats = { hits: 0, fetches: 0, waits: 0, fallbacks: 0, errors: 0, badValues: 0 }

  constructor(client: object, options: RedisCacheOptions = {}) {
    this.#options = resolveRedisCacheOptions(options)
    this.#clock = this.#options.clock
    this.#codec = new TokenCodec(options.encryptionKey === undefined ? [] : deriveKeys(options.encryptionKey))
    this.#redis = adaptClient(client)
    const health = (this.#health = new Health(options.logger, this.#redis, this.#clock))
    reportUnhandledClientErrors(client, (error) => health.failed(error))
  }

  /** Whether stored values are encrypted. */
  get encrypted(): boolean {
    return this.#codec.encrypted
  }

  /** Counters since creation (a copy). */
  stats(): RedisCacheStats {
    return { ...this.#stats }
  }

  async get(key: string): Promise<CachedToken | undefined> {
    if (!this.#usable()) return undefined
    try {
      return (await this.#read(this.#keys(key))).token
    } catch {
      return undefined
    }
  }

  async set(key: string, token: CachedToken): Promise<void> {
    const ttl = Math.ceil(token.expiresAt - this.#clock.now())
    if (ttl <= 0 || !this.#usable()) return
    const { token: name } = this.#keys(key)
    await this.#send(name, ['SET', name, this.#codec.encode(name, token), 'PX', String(ttl)]).catch(
      () => undefined,
    )
  }

  async delete(key: string): Promise<void> {
    if (!this.#usable()) return
    const { token: name } = this.#keys(key)
    await this.#send(name, ['DEL', name]).catch(() => undefined)
  }

  /**
   * Returns an acceptable token stored by any replica, or takes the entry's lock and runs
   * `fetch` (one replica at a time), storing its result; the others poll for it. When Redis
   * fails, `fetch` runs directly: a Redis problem costs a token request, never an error.
   */
  async coordinate(
    key: string,
    fetch: () => Promise<CachedToken>,
    options: CoordinateOptions,
  ): Promise<CachedToken> {
    const signal = options.signal
    const accept = (token: CachedToken) => options.accept(token)
    if (signal.aborted) throw new AbortError(signal.reason)
    if (!this.#usable()) return this.#uncoordinated(fetch)
    const keys = this.#keys(key)
    let seen: Seen
    try {
      seen = await this.#read(keys)
    } catch {
      return this.#uncoordinated(fetch)
    }
    if (seen.token !== undefined && accept(seen.token)) return this.#hit(seen.token)

    const owner = randomBytes(16).toString('base64url')
    const deadline = this.#clock.now() + this.#options.waitMs
    let delay = FIRST_POLL_MS
    let waiting = false
    for (;;) {
      let locked: boolean
      try {
        locked = isOk(
          await this.#send(keys.lock, ['SET', keys.lock, owner, 'PX', String(this.#options.lockTtlMs), 'NX']),
        )
      } catch {
        return this.#uncoordinated(fetch)
      }
      if (locked) return this.#fetchHoldingLock(keys, owner, fetch, accept)
      if (!waiting) {
        waiting = true
        this.#stats.waits++
        this.#health.debug(
          { event: 'shared_cache_wait', key: keys.token },
          'apptoken/redis: another replica is fetching this token; waiting for it',
        )
      }
      const left = deadline - this.#clock.now()
      if (left <= 0) {
        this.#health.warnEvery(
          'wait_timeout',
          { event: 'shared_cache_wait_timeout', waitMs: this.#options.waitMs },
          "apptoken/redis: gave up waiting for another replica's token request; requesting one directly",
        )
        this.#stats.fallbacks++
        const token = await fetch()
        await this.#store(keys, token, seen.raw)
        return token
      }
      // Jitter spreads the polls of many waiting replicas.
      await this.#clock.sleep(Math.min(left, delay * (0.75 + Math.random() / 2)), signal)
      if (signal.aborted) throw new AbortError(signal.reason)
      delay = Math.min(delay * 1.5, MAX_POLL_MS)
      try {
        seen = await this.#read(keys)
      } catch {
        return this.#uncoordinated(fetch)
      }
      if (seen.token !== undefined && accept(seen.token)) return this.#hit(seen.token)
    }
  }

  async #fetchHoldingLock(
    keys: EntryKeys,
    owner: string,
    fetch: () => Promise<CachedToken>,
    accept: (token: CachedToken) => boolean,
  ): Promise<CachedToken> {
    const ttl = this.#options.lockTtlMs
    // A token request may outlast the lock TTL (retries, a slow authority): keep the lock while
    // this replica is alive, so only a dead holder's lock expires.
    const renewal = setInterval(
      () => {
        this.#send(keys.lock, ['EVAL', RENEW_SCRIPT, '1', keys.lock, owner, String(ttl)]).catch(
          () => undefined,
        )
      },
      Math.max(5, Math.floor(ttl / 3)),
    )
    renewal.unref()
    try {
      // Another replica may have stored a token between our read and taking the lock.
      let seen: Seen | undefined
      try {
        seen = await this.#read(keys)
      } catch {
        seen = undefined
      }
      if (seen?.token !== undefined && accept(seen.token)) return this.#hit(seen.token)
      this.#stats.fetches++
      const token = await fetch()
      await this.#store(keys, token, seen?.raw)
      return token
    } finally {
      clearInterval(renewal)
      this.#send(keys.lock, ['EVAL', RELEASE_SCRIPT, '1', keys.lock, owner]).catch(() => undefined)
    }
  }

  /** Stores `token` unless a replica stored a longer-lived one after we read `previous`. */
  async #store(keys: EntryKeys, token: CachedToken, previous: string | undefined): Promise<void> {
    const ttl = Math.ceil(token.expiresAt - this.#clock.now())
    if (ttl <= 0) return
    const value = this.#codec.encode(keys.token, token)
    await this.#send(keys.token, [
      'EVAL',
      STORE_SCRIPT,
      '1',
      keys.token,
      value,
      previous ?? '',
      String(Math.floor(token.expiresAt)),
      String(ttl),
    ]).catch(() => undefined)
  }

  async #read(keys: EntryKeys): Promise<Seen> {
    const reply = await this.#send(keys.token, ['GET', keys.token])
    if (reply === null || reply === undefined) return NOTHING
    const raw =
      typeof reply === 'string' ? reply : Buffer.isBuffer(reply) ? reply.toString('utf8') : undefined
    if (raw === undefined) return this.#bad('malformed', keys, undefined)
    const decoded = this.#codec.decode(keys.token, raw)
    return decoded.token === undefined ? this.#bad(decoded.bad, keys, raw) : { raw, token: decoded.token }
  }

  #bad(reason: BadValueReason, keys: EntryKeys, raw: string | undefined): Seen {
    this.#stats.badValues++
    this.#health.warnEvery(
      `bad_value:${reason}`,
      { event: 'shared_cache_bad_value', reason, key: keys.token },
      BAD_VALUE_MESSAGES[reason],
    )
    return { raw, token: undefined }
  }

  #hit(token: CachedToken): CachedToken {
    this.#stats.hits++
    return token
  }

  #uncoordinated(fetch: () => Promise<CachedToken>): Promise<CachedToken> {
    this.#stats.fallbacks++
    return fetch()
  }

  #usable(): boolean {
    if (this.#redis.usable()) return true
    this.#health.failed(this.#redis.unusableReason())
    return false
  }

  /** Sends one command about `key` (its hash slot, on a Cluster). */
  async #send(key: string, args: readonly string[]): Promise<unknown> {
    try {
      const reply = await withTimeout(this.#options.commandTimeoutMs, (signal) =>
        this.#redis.send(key, args, signal),
      )
      this.#health.ok()
      return reply
    } catch (error) {
      this.#stats.errors++
      this.#health.failed(error)
      throw error
    }
  }

  #keys(key: string): EntryKeys {
    return entryKeys(this.#options.keyPrefix, key)
  }
}

/** Whether a reply is Redis's `OK` (a string, or bytes when the client maps replies to Buffers). */
function isOk(reply: unknown): boolean {
  return reply === 'OK' || (Buffer.isBuffer(reply) && reply.toString('utf8') === 'OK')
}

/**
 * A token cache shared by every replica through Redis. The provider keeps its in-process cache in
 * front, so a cached token costs no Redis round trip; on a miss or a refresh one replica fetches
 * while the others wait for its token.
 *
 * @example
 * ```ts
 * import { createClient, createCluster } from 'redis'
 * const client = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true }).connect()
 * const provider = createTokenProvider({ tenantId, clientId, credential,
 *   cache: redisCache(client, { encryptionKey: process.env.APPTOKEN_REDIS_KEY! }) })
 * // Redis Cluster (or createSentinel, or ioredis' Cluster / new Redis({ sentinels })):
 * const cluster = await createCluster({ rootNodes: [{ url: process.env.REDIS_URL }], defaults: { disableOfflineQueue: true } }).connect()
 * const sharedOnCluster = redisCache(cluster, { encryptionKey: process.env.APPTOKEN_REDIS_KEY! })
 * ```
 */
export function redisCache(client: object, options?: RedisCacheOptions): RedisCache {
  return new RedisCache(client, options)
}
