import { ConfigurationError } from '@apptoken/core'
import { ioRedis, isIoRedis } from './ioredis-client.js'
import { nodeRedis, isNodeRedisShaped } from './node-redis-client.js'

/** Where the commands go: one server, a Redis Cluster, or the primary a Sentinel group names. */
export type RedisTopology = 'standalone' | 'cluster' | 'sentinel'

/**
 * The few commands the cache needs, the same for node-redis and ioredis. Every call sends one raw
 * command (`SET`, `GET`, `EVAL`...) about one key, so the cache never depends on either library's
 * typed helpers, which differ between major versions, and a Cluster client routes it by that key.
 */
export interface RedisCommands {
  /** `'node-redis'` or `'ioredis'`, for log lines. */
  readonly kind: 'node-redis' | 'ioredis'
  readonly topology: RedisTopology
  /**
   * False while the client is known to be disconnected (reconnecting, closed). A command sent
   * then would fail or sit in an offline queue, so the cache skips Redis instead.
   */
  usable(): boolean
  /** Why {@link usable} is false, as a hint for the log line. */
  unusableReason(): string
  /**
   * Sends one command whose keys all live in `key`'s hash slot (a Cluster routes it there);
   * replies are strings, numbers, null or arrays of them. Every command goes to a primary.
   */
  send(key: string, args: readonly string[], signal: AbortSignal): Promise<unknown>
}

const FIX =
  'pass createClient(), createCluster() or createSentinel() from "redis" (v5 or v6, after await client.connect()), ' +
  'or new Redis() / new Cluster() from "ioredis" (v5 or v6)'

/**
 * Wraps a node-redis or an ioredis client, standalone, Cluster or Sentinel. Recognised by shape,
 * so neither library is imported and either may be missing; a client whose commands the cache
 * could not send correctly is refused here rather than failing at every command later.
 */
export function adaptClient(client: unknown): RedisCommands {
  if (typeof client !== 'object' || client === null) {
    throw new ConfigurationError('client', 'no Redis client was given', FIX)
  }
  if (isIoRedis(client)) return ioRedis(client)
  if (isNodeRedisShaped(client)) return nodeRedis(client, FIX)
  throw new ConfigurationError('client', 'it is neither a node-redis nor an ioredis client', FIX)
}

/** Error emitters: both clients are Node EventEmitters. */
interface EmitterLike {
  listenerCount(event: string): number
  on(event: string, listener: (error: unknown) => void): unknown
}

/**
 * node-redis throws from an `'error'` event nobody listens to, which would end the daemon at the
 * first Redis outage. Only when the app attached no listener of its own, `listener` gets them.
 */
export function reportUnhandledClientErrors(client: object, listener: (error: unknown) => void): void {
  const emitter = client as Partial<EmitterLike>
  if (
    typeof emitter.listenerCount === 'function' &&
    typeof emitter.on === 'function' &&
    emitter.listenerCount('error') === 0
  ) {
    emitter.on('error', listener)
  }
}
