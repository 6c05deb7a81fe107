import type * as NodeRedis from 'redis'
import type * as IoRedis from 'ioredis'

/** Which Redis library a test runs against. */
export type ClientKind = 'node-redis' | 'ioredis' | 'node-redis 5' | 'ioredis 5'

/** The current majors: every suite, including the slow replica and outage ones. */
export const CLIENT_KINDS: ClientKind[] = ['node-redis', 'ioredis']
/** Every supported major (the peer ranges' floors too), for the functional suites. */
export const ALL_CLIENT_KINDS: ClientKind[] = [...CLIENT_KINDS, 'node-redis 5', 'ioredis 5']

/** A connected client, configured as the README recommends (no offline queue, fast reconnects). */
export interface TestClient {
  readonly client: object
  /** Raw commands, for assertions (`GET`, `KEYS`, `PTTL`...). */
  command(...args: string[]): Promise<unknown>
  /** Resolves at the next time the client (re)connects and is ready. */
  nextReady(): Promise<void>
  close(): Promise<void>
}

// Reconnect quickly: these delays pace the client's own reconnect attempts, not the tests.
const reconnectDelay = (attempt: number) => Math.min(10 * attempt, 100)

/** Connects a client; only the library asked for is loaded (replica threads start faster). */
export async function connectClient(kind: ClientKind, port: number): Promise<TestClient> {
  if (kind === 'node-redis' || kind === 'node-redis 5') {
    // Both majors share the client API the tests use; type them as the current one.
    const { createClient } = (
      kind === 'node-redis' ? await import('redis') : await import('redis5')
    ) as typeof NodeRedis
    const client = createClient({
      socket: { host: '127.0.0.1', port, reconnectStrategy: reconnectDelay },
      disableOfflineQueue: true,
    })
    // An app is expected to listen for errors; outages are reported through the cache's logger.
    client.on('error', () => undefined)
    await client.connect()
    return {
      client,
      command: (...args) => client.sendCommand(args),
      nextReady: () => new Promise<void>((resolve) => client.once('ready', () => resolve())),
      close: async () => {
        if (client.isOpen) client.destroy()
      },
    }
  }
  const { Redis } = (
    kind === 'ioredis' ? await import('ioredis') : await import('ioredis5')
  ) as typeof IoRedis
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: reconnectDelay,
  })
  client.on('error', () => undefined)
  await client.connect()
  return {
    client,
    command: (command, ...args) => client.call(command, ...args),
    nextReady: () => new Promise<void>((resolve) => client.once('ready', () => resolve())),
    close: async () => client.disconnect(),
  }
}
