import { ConfigurationError } from '@apptoken/core'

/**
 * The few commands the cache needs, the same for node-redis and ioredis. Every call sends one raw
 * command (`SET`, `GET`, `EVAL`...), so the cache never depends on either library's typed helpers,
 * which differ between major versions.
 */
export interface RedisCommands {
  /** `'node-redis'` or `'ioredis'`, for log lines. */
  readonly kind: 'node-redis' | 'ioredis'
  /**
   * False while the client is known to be disconnected (reconnecting, closed). A command sent
   * then would fail or sit in an offline queue, so the cache skips Redis instead.
   */
  usable(): boolean
  /** Why {@link usable} is false, as a hint for the log line. */
  unusableReason(): string
  /** Sends one command; replies are strings, numbers, null or arrays of them. */
  send(args: readonly string[], signal: AbortSignal): Promise<unknown>
}

/** The node-redis (v4, v5, v6) surface used here. */
interface NodeRedisLike {
  isOpen: boolean
  isReady: boolean
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

/** The ioredis (v5, v6; also `Cluster`) surface used here. */
interface IoRedisLike {
  status: string
  call(command: string, ...args: string[]): Promise<unknown>
}

/** Error emitters: both clients are Node EventEmitters. */
interface EmitterLike {
  listenerCount(event: string): number
  on(event: string, listener: (error: unknown) => void): unknown
}

function isIoRedis(client: object): client is IoRedisLike {
  const c = client as Partial<IoRedisLike>
  return typeof c.status === 'string' && typeof c.call === 'function'
}

function isNodeRedis(client: object): client is NodeRedisLike {
  const c = client as Partial<NodeRedisLike>
  return (
    typeof c.isReady === 'boolean' && typeof c.isOpen === 'boolean' && typeof c.sendCommand === 'function'
  )
}

// ioredis statuses in which a command is sent (or queued briefly while the first connection
// is made); in the others the client is between reconnect attempts or closed for good.
const IOREDIS_SENDING = new Set(['wait', 'connecting', 'connect', 'ready'])

/**
 * Wraps a node-redis or an ioredis client. Recognised by shape, so neither library is imported
 * and either may be missing.
 */
export function adaptClient(client: unknown): RedisCommands {
  if (typeof client !== 'object' || client === null) {
    throw new ConfigurationError(
      'client',
      'no Redis client was given',
      'pass a connected node-redis client (createClient from "redis") or an ioredis client (new Redis())',
    )
  }
  const commands = isIoRedis(client) ? ioRedis(client) : isNodeRedis(client) ? nodeRedis(client) : undefined
  if (commands === undefined) {
    throw new ConfigurationError(
      'client',
      'it is neither a node-redis nor an ioredis client',
      'pass createClient() from "redis" (v5 or v6, after await client.connect()) or new Redis() from "ioredis"',
    )
  }
  return commands
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

function nodeRedis(client: NodeRedisLike): RedisCommands {
  return {
    kind: 'node-redis',
    usable: () => client.isReady,
    unusableReason: () =>
      client.isOpen
        ? 'the client is reconnecting'
        : 'the client is not connected (call await client.connect() before use)',
    // The abort signal drops a command still waiting in the offline queue, so a timed-out
    // SET NX does not take a lock later, after a reconnect.
    send: (args, signal) => client.sendCommand([...args], { abortSignal: signal }),
  }
}

function ioRedis(client: IoRedisLike): RedisCommands {
  return {
    kind: 'ioredis',
    usable: () => IOREDIS_SENDING.has(client.status),
    unusableReason: () => `the client is ${client.status}`,
    send: ([command, ...args]) => client.call(command ?? '', ...args),
  }
}
