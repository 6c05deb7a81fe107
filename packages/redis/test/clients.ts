import type * as NodeRedis from 'redis'
import type * as IoRedis from 'ioredis'

/** Which Redis library a test runs against. */
export type ClientKind = 'node-redis' | 'ioredis' | 'node-redis 5' | 'ioredis 5'

/** The current majors: every suite, including the slow replica and outage ones. */
export const CLIENT_KINDS: ClientKind[] = ['node-redis', 'ioredis']
/** Every supported major (the peer ranges' floors too), for the functional suites. */
export const ALL_CLIENT_KINDS: ClientKind[] = [...CLIENT_KINDS, 'node-redis 5', 'ioredis 5']

/** Where a client connects: serialisable, so replica threads get it as workerData. */
export type Endpoint =
  | { topology: 'standalone'; port: number }
  | { topology: 'cluster'; ports: number[] }
  | { topology: 'sentinel'; name: string; sentinelPorts: number[] }

/** A connected client, configured as the README recommends (no offline queue, fast reconnects). */
export interface TestClient {
  readonly client: object
  /** Raw commands about the key in `args[1]` (routed to its primary on a Cluster). */
  command(...args: string[]): Promise<unknown>
  /** Keys matching `pattern` on every primary. */
  keys(pattern: string): Promise<string[]>
  /** Resolves at the next time the client (re)connects and is ready. */
  nextReady(): Promise<void>
  close(): Promise<void>
}

// Reconnect quickly: these delays pace the client's own reconnect attempts, not the tests.
const reconnectDelay = (attempt: number) => Math.min(10 * attempt, 100)
const HOST = '127.0.0.1'

/** Connects a client; only the library asked for is loaded (replica threads start faster). */
export async function connectClient(kind: ClientKind, where: Endpoint | number): Promise<TestClient> {
  const endpoint: Endpoint = typeof where === 'number' ? { topology: 'standalone', port: where } : where
  return kind === 'node-redis' || kind === 'node-redis 5'
    ? connectNodeRedis(kind, endpoint)
    : connectIoRedis(kind, endpoint)
}

async function connectNodeRedis(kind: ClientKind, endpoint: Endpoint): Promise<TestClient> {
  // Both majors share the client API the tests use; type them as the current one.
  const redis = (kind === 'node-redis' ? await import('redis') : await import('redis5')) as typeof NodeRedis
  const options = { socket: { host: HOST, reconnectStrategy: reconnectDelay }, disableOfflineQueue: true }
  if (endpoint.topology === 'cluster') {
    const client = redis.createCluster({
      rootNodes: endpoint.ports.map((port) => ({ socket: { host: HOST, port } })),
      defaults: options,
    })
    // An app is expected to listen for errors; outages are reported through the cache's logger.
    client.on('error', () => undefined)
    await client.connect()
    return {
      client,
      command: (...args) => client.sendCommand(args[1], false, args),
      keys: async (pattern) =>
        (
          await Promise.all(
            client.masters.map(async (m) => (await client.nodeClient(m)).sendCommand(['KEYS', pattern])),
          )
        ).flat() as unknown as string[],
      nextReady: () => new Promise<void>((resolve) => client.once('connect', () => resolve())),
      close: async () => {
        if (client.isOpen) client.destroy()
      },
    }
  }
  if (endpoint.topology === 'sentinel') {
    const client = redis.createSentinel({
      name: endpoint.name,
      sentinelRootNodes: endpoint.sentinelPorts.map((port) => ({ host: HOST, port })),
      nodeClientOptions: options,
      sentinelClientOptions: { socket: { reconnectStrategy: reconnectDelay } },
    })
    client.on('error', () => undefined)
    await client.connect()
    return {
      client,
      command: (...args) => client.sendCommand(false, args),
      keys: (pattern) => client.sendCommand<string[]>(false, ['KEYS', pattern]),
      nextReady: () => new Promise<void>((resolve) => client.once('connect', () => resolve())),
      close: async () => {
        if (client.isOpen) await client.destroy()
      },
    }
  }
  const client = redis.createClient({ ...options, socket: { ...options.socket, port: endpoint.port } })
  client.on('error', () => undefined)
  await client.connect()
  return {
    client,
    command: (...args) => client.sendCommand(args),
    keys: async (pattern) => (await client.sendCommand(['KEYS', pattern])) as unknown as string[],
    nextReady: () => new Promise<void>((resolve) => client.once('ready', () => resolve())),
    close: async () => {
      if (client.isOpen) client.destroy()
    },
  }
}

async function connectIoRedis(kind: ClientKind, endpoint: Endpoint): Promise<TestClient> {
  const { Redis, Cluster } = (
    kind === 'ioredis' ? await import('ioredis') : await import('ioredis5')
  ) as typeof IoRedis
  const options = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: reconnectDelay,
  }
  if (endpoint.topology === 'cluster') {
    const client = new Cluster(
      endpoint.ports.map((port) => ({ host: HOST, port })),
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: reconnectDelay,
        redisOptions: options,
      },
    )
    client.on('error', () => undefined)
    await client.connect()
    return {
      client,
      command: (command, ...args) => client.call(command, ...args),
      keys: async (pattern) =>
        (await Promise.all(client.nodes('master').map((node) => node.keys(pattern)))).flat(),
      nextReady: () => new Promise<void>((resolve) => client.once('ready', () => resolve())),
      close: async () => client.disconnect(),
    }
  }
  const client =
    endpoint.topology === 'sentinel'
      ? new Redis({
          ...options,
          name: endpoint.name,
          sentinels: endpoint.sentinelPorts.map((port) => ({ host: HOST, port })),
          sentinelRetryStrategy: reconnectDelay,
        })
      : new Redis({ ...options, host: HOST, port: endpoint.port })
  client.on('error', () => undefined)
  await client.connect()
  return {
    client,
    command: (command, ...args) => client.call(command, ...args),
    keys: (pattern) => client.keys(pattern),
    nextReady: () => new Promise<void>((resolve) => client.once('ready', () => resolve())),
    close: async () => client.disconnect(),
  }
}
