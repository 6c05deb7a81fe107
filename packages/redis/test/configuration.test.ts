import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isConfigurationError } from '@apptoken/core'
import { redisCache } from '../src/index.js'

/** A stand-in with node-redis's shape; option checks never send a command. */
const nodeRedisShape = {
  isOpen: false,
  isReady: false,
  sendCommand: async () => null,
  listenerCount: () => 1,
  on: () => undefined,
}

function configurationError(create: () => unknown) {
  try {
    create()
  } catch (error) {
    if (isConfigurationError(error)) return error
    throw error
  }
  throw new Error('expected a ConfigurationError')
}

describe('redisCache options', () => {
  it('refuses something that is not a Redis client, saying what to pass', () => {
    const error = configurationError(() => redisCache({ get: () => null }))
    expect(error.option).toBe('client')
    expect(error.message).toMatch(/node-redis/)
    expect(error.message).toMatch(/ioredis/)
    expect(configurationError(() => redisCache(null as unknown as object)).option).toBe('client')
  })

  it('recognises node-redis clients, clusters and sentinels, and ioredis Redis and Cluster', async () => {
    const redis = await import('redis')
    const { Redis, Cluster } = await import('ioredis')
    const nodes = [{ socket: { host: '127.0.0.1', port: 1 } }]
    // Not connected: recognised by shape, no command is sent.
    expect(() => redisCache(redis.createClient())).not.toThrow()
    expect(() => redisCache(redis.createCluster({ rootNodes: nodes }))).not.toThrow()
    expect(() =>
      redisCache(redis.createSentinel({ name: 'x', sentinelRootNodes: [{ host: '127.0.0.1', port: 1 }] })),
    ).not.toThrow()
    const io = new Redis({ lazyConnect: true })
    const ioCluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true })
    expect(() => redisCache(io)).not.toThrow()
    expect(() => redisCache(ioCluster)).not.toThrow()
    io.disconnect()
    ioCluster.disconnect()
  })

  it('refuses node-redis objects whose commands it cannot send, saying what to pass', async () => {
    const redis = await import('redis')
    const pool = configurationError(() => redisCache(redis.createClientPool()))
    expect(pool.option).toBe('client')
    expect(pool.message).toMatch(/pool.*createClient\(\)/)
    // A lease from a sentinel goes back to its pool: the sentinel itself is what to pass.
    const lease = configurationError(() => redisCache({ ...nodeRedisShape, release: () => undefined }))
    expect(lease.message).toMatch(/createSentinel/)
    // Shaped like node-redis, but a sendCommand this cache does not know how to call.
    const unknown = configurationError(() =>
      redisCache({ ...nodeRedisShape, sendCommand: async (_a: unknown, _b: unknown, _c: unknown) => null }),
    )
    expect(unknown.message).toMatch(/createCluster\(\)/)
  })

  it('refuses a clock without now() and sleep()', () => {
    expect(configurationError(() => redisCache(nodeRedisShape, { clock: {} as never })).option).toBe('clock')
    expect(() =>
      redisCache(nodeRedisShape, { clock: { now: () => 0, sleep: async () => undefined } }),
    ).not.toThrow()
  })

  it('refuses weak or malformed encryption keys', () => {
    expect(
      configurationError(() => redisCache(nodeRedisShape, { encryptionKey: randomBytes(16) })).message,
    ).toMatch(/32 bytes, got 16.*openssl rand -base64 32/)
    expect(configurationError(() => redisCache(nodeRedisShape, { encryptionKey: 'short' })).message).toMatch(
      /at least 16 characters/,
    )
    expect(configurationError(() => redisCache(nodeRedisShape, { encryptionKey: [] })).option).toBe(
      'encryptionKey',
    )
    expect(
      configurationError(() => redisCache(nodeRedisShape, { encryptionKey: [randomBytes(32), 'short'] }))
        .option,
    ).toBe('encryptionKey[1]')
    expect(
      configurationError(() => redisCache(nodeRedisShape, { encryptionKey: 42 as unknown as string })).option,
    ).toBe('encryptionKey')
  })

  it('accepts 32-byte keys as bytes, hex, base64 and base64url', () => {
    const key = randomBytes(32)
    for (const encryptionKey of [
      key,
      new Uint8Array(key),
      key.toString('hex'),
      key.toString('base64'),
      key.toString('base64url'),
    ]) {
      expect(redisCache(nodeRedisShape, { encryptionKey }).encrypted).toBe(true)
    }
    expect(redisCache(nodeRedisShape).encrypted).toBe(false)
  })

  it('checks timings and the key prefix', () => {
    expect(configurationError(() => redisCache(nodeRedisShape, { lockTtlMs: 0 })).option).toBe('lockTtlMs')
    expect(configurationError(() => redisCache(nodeRedisShape, { waitMs: -1 })).option).toBe('waitMs')
    expect(configurationError(() => redisCache(nodeRedisShape, { commandTimeoutMs: 1.5 })).option).toBe(
      'commandTimeoutMs',
    )
    expect(
      configurationError(() => redisCache(nodeRedisShape, { keyPrefix: 7 as unknown as string })).option,
    ).toBe('keyPrefix')
    expect(
      configurationError(() => redisCache(nodeRedisShape, { logger: 'console' as unknown as undefined }))
        .option,
    ).toBe('logger')
  })

  it('listens for client errors only when the app does not', () => {
    const listeners: string[] = []
    const client = {
      ...nodeRedisShape,
      listenerCount: () => 0,
      on: (event: string) => void listeners.push(event),
    }
    redisCache(client)
    expect(listeners).toEqual(['error'])
    redisCache({ ...nodeRedisShape, on: (event: string) => void listeners.push(event) })
    expect(listeners).toEqual(['error'])
  })
})
