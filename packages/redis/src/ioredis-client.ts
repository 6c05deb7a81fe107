import type { RedisCommands } from './redis-client.js'

/** The ioredis (v5, v6) surface used here: `Redis` (standalone or `sentinels`) and `Cluster`. */
export interface IoRedisLike {
  status: string
  call(command: string, ...args: string[]): Promise<unknown>
  isCluster?: boolean
  options?: { sentinels?: unknown }
}

export function isIoRedis(client: object): client is IoRedisLike {
  const c = client as Partial<IoRedisLike>
  return typeof c.status === 'string' && typeof c.call === 'function'
}

// ioredis statuses in which a command is sent (or queued briefly while the first connection
// is made); in the others the client is between reconnect attempts or closed for good.
const IOREDIS_SENDING = new Set(['wait', 'connecting', 'connect', 'ready'])

/**
 * Drives an ioredis client. `call` routes by the command's keys on a `Cluster` (`EVAL`'s keys
 * included) and follows the current primary with `sentinels`, so one driver fits all three.
 */
export function ioRedis(client: IoRedisLike): RedisCommands {
  const sentinels = client.options?.sentinels
  return {
    kind: 'ioredis',
    topology:
      client.isCluster === true
        ? 'cluster'
        : Array.isArray(sentinels) && sentinels.length > 0
          ? 'sentinel'
          : 'standalone',
    usable: () => IOREDIS_SENDING.has(client.status),
    unusableReason: () => `the client is ${client.status}`,
    // ioredis cannot cancel a sent command; the cache's timeout stops waiting for it.
    send: (_key, [command, ...args]) => client.call(command ?? '', ...args),
  }
}
