import { Redis } from 'ioredis'

/**
 * Sends one command to the Redis (or sentinel) on `port` over a fresh connection, for the
 * topology helpers' checks of real state. Fails fast: no retries, no offline queue, 2 s timeout.
 */
export async function ask(port: number, command: string, ...args: string[]): Promise<unknown> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
  })
  redis.on('error', () => undefined)
  try {
    await redis.connect()
    return await redis.call(command, ...args)
  } finally {
    redis.disconnect()
  }
}

/** `INFO`-style `field:value` lines as a map. */
export function fields(text: unknown): Map<string, string> {
  const map = new Map<string, string>()
  for (const line of String(text).split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i > 0) map.set(line.slice(0, i), line.slice(i + 1).trim())
  }
  return map
}
