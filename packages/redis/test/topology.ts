import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, inject } from 'vitest'
import type { TokenProvider, TokenProviderOptions } from '@apptoken/core'
import { startTestAuthority, type TestAuthority } from '@apptoken/testing'
import { redisCache, type RedisCache, type RedisCacheOptions } from '../src/index.js'
import {
  ALL_CLIENT_KINDS,
  CLIENT_KINDS,
  connectClient,
  type ClientKind,
  type Endpoint,
  type TestClient,
} from './clients.js'
import { startRedisCluster, type RedisCluster } from './redis-cluster.js'
import { startRedisSentinel, type RedisSentinelGroup } from './redis-sentinel.js'
import { startRedisServer, type RedisServer } from './redis-server.js'
import { memoryLogger, providerFor } from './support.js'

export type TopologyName = Endpoint['topology']

/** One way to run the suite: a topology and a client library. */
export interface Target {
  readonly topology: TopologyName
  readonly kind: ClientKind
}

const on = (topology: TopologyName, kinds: ClientKind[]): Target[] =>
  kinds.map((kind) => ({ topology, kind }))

/**
 * Every functional suite runs on each of these: every topology with every supported client major
 * (the slow suites take the current majors only).
 */
export const TARGETS: Target[] = [
  ...on('standalone', ALL_CLIENT_KINDS),
  ...on('cluster', ALL_CLIENT_KINDS),
  ...on('sentinel', ALL_CLIENT_KINDS),
]

/** Every topology with the current majors only: the slow suites. */
export const CURRENT_TARGETS: Target[] = TARGETS.filter((t) => CLIENT_KINDS.includes(t.kind))

/** `describe.each` label. */
export const label = (t: Target) => `${t.topology}, ${t.kind}`

/**
 * The suite's Redis on `target`: a fresh standalone server of its own, or the run's shared
 * Cluster or Sentinel group (see global-setup.ts). Each suite writes under its own key prefix,
 * so suites sharing a Cluster never see each other's keys, and cleans up after every test.
 */
export function useTarget(target: Target, { own = false } = {}) {
  const prefix = `apptoken:${randomBytes(4).toString('hex')}:`
  let server: RedisServer | undefined
  let cluster: RedisCluster | undefined
  let sentinel: RedisSentinelGroup | undefined
  let endpoint!: Endpoint
  let raw!: TestClient
  let authority!: TestAuthority
  const clients: TestClient[] = []
  const providers: TokenProvider[] = []

  beforeAll(async () => {
    // Whatever happens below, afterAll stops what was started.
    if (target.topology === 'standalone') {
      server = await startRedisServer()
      endpoint = { topology: 'standalone', port: server.port }
    } else if (!own) {
      endpoint = inject('sharedRedis')[target.topology]
    } else if (target.topology === 'cluster') {
      cluster = await startRedisCluster()
      endpoint = { topology: 'cluster', ports: cluster.ports }
    } else {
      sentinel = await startRedisSentinel()
      endpoint = { topology: 'sentinel', name: sentinel.name, sentinelPorts: sentinel.sentinelPorts }
    }
    raw = await connectClient(target.kind, endpoint)
    authority = await startTestAuthority()
  }, 30_000)
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.close()))
    await Promise.all(clients.splice(0).map((c) => c.close()))
    authority.reset()
    // A suite with its own deployment may have broken it on purpose; nobody else shares it.
    if (own) return
    for (const key of await raw.keys(`${prefix}*`)) await raw.command('DEL', key)
  })
  afterAll(async () => {
    const steps = [
      () => raw?.close(),
      () => authority?.close(),
      () => server?.stop(),
      () => cluster?.stop(),
      () => sentinel?.stop(),
    ]
    for (const step of steps)
      await Promise.resolve()
        .then(step)
        .catch(() => undefined)
  })

  const context = {
    prefix,
    get endpoint() {
      return endpoint
    },
    get raw() {
      return raw
    },
    get authority() {
      return authority
    },
    /** The standalone server (only on the standalone topology). */
    get server() {
      if (server === undefined) throw new Error(`no single server on ${target.topology}`)
      return server
    },
    /** The suite's own Cluster (with `own: true`). */
    get cluster() {
      if (cluster === undefined)
        throw new Error('useTarget(..., { own: true }) on a cluster target starts one')
      return cluster
    },
    /** The suite's own Sentinel group (with `own: true`). */
    get sentinel() {
      if (sentinel === undefined)
        throw new Error('useTarget(..., { own: true }) on a sentinel target starts one')
      return sentinel
    },
    /** A new connected client of the target's kind, closed after the test. */
    async client(through: Endpoint = endpoint): Promise<TestClient> {
      const client = await connectClient(target.kind, through)
      clients.push(client)
      return client
    },
    /** A cache on a new client, writing under the suite's prefix. */
    async cache(options: RedisCacheOptions = {}): Promise<RedisCache> {
      return redisCache((await context.client()).client, { keyPrefix: prefix, ...options })
    },
    /** A replica: its own client, cache, logger and provider, closed after the test. */
    async replica(options: RedisCacheOptions = {}, providerOptions: Partial<TokenProviderOptions> = {}) {
      const client = await context.client()
      const log = memoryLogger()
      const cache = redisCache(client.client, { keyPrefix: prefix, logger: log.logger, ...options })
      const provider = providerFor(authority, cache, providerOptions)
      providers.push(provider)
      return { client, cache, provider, log }
    },
    /** Token keys (not lock keys) of this suite now in Redis. */
    async tokenKeys(): Promise<string[]> {
      return (await raw.keys(`${prefix}*`)).filter((k) => !k.endsWith(':lock')).sort()
    },
    async lockKeys(): Promise<string[]> {
      return (await raw.keys(`${prefix}*`)).filter((k) => k.endsWith(':lock'))
    },
    track(provider: TokenProvider) {
      providers.push(provider)
      return provider
    },
  }
  return context
}
