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
