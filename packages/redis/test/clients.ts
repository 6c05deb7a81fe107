/** Which Redis library a test runs against. */
export type ClientKind = 'node-redis' | 'ioredis'

export const CLIENT_KINDS: ClientKind[] = ['node-redis', 'ioredis']

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
  if (kind === 'node-redis') {
    const { createClient } = await import('redis')
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
  const { Redis } = await import('ioredis')
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
