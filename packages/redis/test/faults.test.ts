import { describe, expect, it } from 'vitest'
import type { RedisCache } from '../src/index.js'
import { redisCache } from '../src/index.js'
import { startTestAuthority } from '@apptoken/testing'
import { CLIENT_KINDS } from './clients.js'
import { startRedisServer } from './redis-server.js'
import { SCOPE, memoryLogger, providerFor } from './support.js'
import { TARGETS, label, useTarget } from './topology.js'

describe.each(TARGETS.map((t) => [label(t), t] as const))('stored values (%s)', (_, target) => {
  const suite = useTarget(target)
  const replica = (options: Parameters<typeof suite.replica>[0] = {}) => suite.replica(options)

  it('treats a garbage value as a miss, once logged, and replaces it', async () => {
    const first = await replica()
    await first.provider.getToken(SCOPE)
    const [key] = await suite.tokenKeys()
    await suite.raw.command('SET', key!, 'not a token at all')

    const second = await replica()
    const token = await second.provider.getToken(SCOPE)
    expect(suite.authority.tokenRequests()).toHaveLength(2)
    expect(second.cache.stats().badValues).toBeGreaterThanOrEqual(1)
    expect(second.log.events('shared_cache_bad_value').map((l) => l.fields.reason)).toEqual(['malformed'])
    // The fetched token replaced the garbage, so the next replica uses it.
    const third = await replica()
    expect((await third.provider.getToken(SCOPE)).accessToken).toBe(token.accessToken)
    expect(suite.authority.tokenRequests()).toHaveLength(2)
  })

  it('survives a value of the wrong Redis type under its key', async () => {
    const first = await replica()
    await first.provider.getToken(SCOPE)
    const [key] = await suite.tokenKeys()
    await suite.raw.command('DEL', key!)
    await suite.raw.command('LPUSH', key!, 'x')
    const second = await replica()
    await expect(second.provider.getToken(SCOPE)).resolves.toMatchObject({ tokenType: 'Bearer' })
    expect(second.cache.stats().errors).toBeGreaterThanOrEqual(1)
  })

  it('stores one small value per token with a TTL matching its expiry', async () => {
    const { provider } = await replica()
    const token = await provider.getToken(SCOPE)
    const keys = await suite.tokenKeys()
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatch(new RegExp(`^${suite.prefix}\\{[A-Za-z0-9_-]{43}\\}$`))
    const ttl = (await suite.raw.command('PTTL', keys[0]!)) as number
    expect(ttl).toBeGreaterThan(token.expiresAt - Date.now() - 5_000)
    expect(ttl).toBeLessThanOrEqual(token.expiresAt - Date.now() + 1_000)
    // Without encryptionKey the value is readable JSON (see the README's security notes).
    const value = (await suite.raw.command('GET', keys[0]!)) as string
    expect(value.startsWith(`p1.${Math.floor(token.expiresAt)}.`)).toBe(true)
    expect(JSON.parse(value.slice(value.indexOf('{')))).toMatchObject({
      tokenType: 'Bearer',
      tenantId: suite.authority.tenantId,
      scopes: [SCOPE],
    })
  })

  it('never logs a token value', async () => {
    const a = await replica()
    const b = await replica({ encryptionKey: 'a passphrase that is long enough' })
    const t1 = await a.provider.getToken(SCOPE)
    const t2 = await b.provider.getToken(SCOPE)
    for (const log of [a.log, b.log]) {
      expect(log.text()).not.toContain(t1.accessToken)
      expect(log.text()).not.toContain(t2.accessToken)
      expect(log.text()).not.toContain('eyJ')
    }
  })
})

describe.each(CLIENT_KINDS)('a standalone Redis that stops or stalls (%s)', (kind) => {
  const suite = useTarget({ topology: 'standalone', kind })
  const replica = (options: Parameters<typeof suite.replica>[0] = {}) => suite.replica(options)

  it('keeps every caller served when Redis stops mid-run, and shares again once it is back', async () => {
    const replicas = await Promise.all(Array.from({ length: 5 }, () => replica()))
    const cold = await Promise.all(replicas.map((r) => r.provider.getToken(SCOPE)))
    expect(suite.authority.tokenRequests()).toHaveLength(1)
    expect(new Set(cold.map((t) => t.accessToken)).size).toBe(1)

    // Redis crashes while every replica is refreshing: nobody sees an error.
    const during = replicas.map((r) => r.provider.getToken(SCOPE, { forceRefresh: true }))
    await suite.server.stop('SIGKILL')
    const results = await Promise.allSettled(during)
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('fulfilled'))

    // While it is down each replica asks the authority itself.
    const before = suite.authority.tokenRequests().length
    const down = await Promise.all(replicas.map((r) => r.provider.getToken(SCOPE, { forceRefresh: true })))
    expect(down.every((t) => t.accessToken.length > 0)).toBe(true)
    expect(suite.authority.tokenRequests()).toHaveLength(before + 5)
    for (const r of replicas) {
      expect(r.log.events('shared_cache_unavailable')).toHaveLength(1)
      expect(r.cache.stats().fallbacks).toBeGreaterThanOrEqual(1)
    }

    // Back on the same port: the clients reconnect by themselves and sharing resumes.
    const reconnected = [suite.raw, ...replicas.map((r) => r.client)].map((c) => c.nextReady())
    await suite.server.restart()
    await Promise.all(reconnected)

    const [first, second] = replicas as [(typeof replicas)[0], (typeof replicas)[0]]
    const afterRestart = suite.authority.tokenRequests().length
    const fresh = await first.provider.getToken(SCOPE, { forceRefresh: true })
    expect(suite.authority.tokenRequests()).toHaveLength(afterRestart + 1)
    expect(first.log.events('shared_cache_recovered')).toHaveLength(1)

    // A replica whose token was rejected picks up the one in Redis instead of asking again.
    const rejected = down[1]!.accessToken
    const picked = await second.provider.getToken(SCOPE, { forceRefresh: true, rejectedToken: rejected })
    expect(picked.accessToken).toBe(fresh.accessToken)
    // And a replica started now gets it from Redis without a token request.
    const newcomer = await replica()
    expect((await newcomer.provider.getToken(SCOPE)).accessToken).toBe(fresh.accessToken)
    expect(suite.authority.tokenRequests()).toHaveLength(afterRestart + 1)
  })

  it('falls back to the token endpoint when Redis is too slow to answer', async () => {
    const { provider, cache, log } = await replica({ commandTimeoutMs: 50 })
    // A frozen Redis keeps its connections open and answers nothing.
    suite.server.freeze()
    try {
      const token = await provider.getToken(SCOPE)
      expect(token.accessToken.length).toBeGreaterThan(0)
      expect(suite.authority.tokenRequests()).toHaveLength(1)
      expect(cache.stats().fallbacks).toBe(1)
      expect(log.events('shared_cache_unavailable')[0]?.fields.message).toMatch(/did not answer within 50 ms/)
    } finally {
      suite.server.thaw()
    }
  })
})

describe('a cache over a client that is not connected', () => {
  it('uses the token endpoint and says how to fix it', async () => {
    const server = await startRedisServer()
    const authority = await startTestAuthority()
    const { createClient } = await import('redis')
    const client = createClient({ url: server.url })
    const log = memoryLogger()
    const cache: RedisCache = redisCache(client, { logger: log.logger })
    const provider = providerFor(authority, cache)
    try {
      await expect(provider.getToken(SCOPE)).resolves.toMatchObject({ tokenType: 'Bearer' })
      expect(log.events('shared_cache_unavailable')[0]?.fields.message).toMatch(/await client\.connect\(\)/)
    } finally {
      await provider.close()
      await authority.close()
      await server.stop()
    }
  })
})
