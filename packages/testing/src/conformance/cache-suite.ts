import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { startTestAuthority, type TestAuthority } from '../authority.js'
import { TEST_API_AUDIENCE } from '../defaults.js'
import type { CacheUnderTest, ConformanceCache, ConformanceCachedToken } from './cache-types.js'
import { hooksOf, type ConformanceRunner } from './runner.js'

const token = (accessToken: string, lifetimeMs = 3_600_000): ConformanceCachedToken => ({
  accessToken,
  tokenType: 'Bearer',
  expiresAt: Date.now() + lifetimeMs,
  refreshAt: Date.now() + lifetimeMs / 2,
  scopes: [`${TEST_API_AUDIENCE}/.default`],
  tenantId: 'contoso.com',
})

/** A cache whose every call throws, for stores the suite cannot break itself. */
const throwing = (): ConformanceCache => {
  const fail = () => Promise.reject(new Error('store unavailable'))
  return { get: fail, set: fail, delete: fail, coordinate: fail }
}

/**
 * Registers the semantics every `TokenCache` must have: get/set/delete per key, values returned
 * intact, last writer wins among concurrent writers, an expired token never made fresh,
 * `coordinate` (when implemented) running one fetch for many concurrent callers and honouring
 * `accept`, and a provider over a failing store still serving tokens.
 *
 * @example
 * ```ts
 * import { describe, it, beforeAll, afterAll } from 'vitest'
 * import * as core from '@apptoken/core'
 * import { cacheConformance } from '@apptoken/testing/conformance'
 * cacheConformance({ name: 'memoryCache', core, createCache: () => core.memoryCache() }, { describe, it, beforeAll, afterAll })
 * ```
 */
export function cacheConformance(subject: CacheUnderTest, runner: ConformanceRunner): void {
  const { before, after } = hooksOf(runner)
  let authority: TestAuthority
  const key = () => `conformance|${randomUUID()}`

  runner.describe(`${subject.name} cache conformance`, () => {
    before(async () => void (authority = await startTestAuthority()))
    after(() => authority.close())

    runner.it(
      'returns nothing for an unknown key, the stored token after set, nothing after delete',
      async () => {
        const cache = await subject.createCache()
        const k = key()
        assert.equal(await cache.get(k), undefined)
        const stored = token('first.token.value')
        await cache.set(k, stored)
        assert.deepEqual(await cache.get(k), stored)
        await cache.delete(k)
        assert.equal(await cache.get(k), undefined)
      },
    )

    runner.it('keeps keys apart and lets the last write win', async () => {
      const cache = await subject.createCache()
      const [a, b] = [key(), key()]
      await cache.set(a, token('token.for.a'))
      await cache.set(b, token('token.for.b'))
      await cache.set(a, token('newer.token.for.a'))
      assert.equal((await cache.get(a))?.accessToken, 'newer.token.for.a')
      assert.equal((await cache.get(b))?.accessToken, 'token.for.b')
    })

    runner.it('keeps one intact value among concurrent writers', async () => {
      const cache = await subject.createCache()
      const k = key()
      const written = Array.from({ length: 20 }, (_, i) => token(`concurrent.writer.${i}`))
      await Promise.all(written.map(async (t) => cache.set(k, t)))
      const found = await cache.get(k)
      assert.ok(
        written.some((t) => JSON.stringify(t) === JSON.stringify(found)),
        'one of the written values, unmixed',
      )
    })

    runner.it('never makes an expired token fresh again', async () => {
      const cache = await subject.createCache()
      const k = key()
      const expired = {
        ...token('expired.token'),
        expiresAt: Date.now() - 1_000,
        refreshAt: Date.now() - 2_000,
      }
      await cache.set(k, expired)
      const found = await cache.get(k)
      assert.ok(found === undefined || found.expiresAt <= Date.now(), 'gone, or still expired')
    })

    runner.it('runs one fetch for many concurrent coordinate calls and honours accept', async () => {
      const cache = await subject.createCache()
      if (cache.coordinate === undefined) return // optional: single-flight then stays in process
      const k = key()
      const signal = new AbortController().signal
      let fetches = 0
      const fetch = () => (fetches++, Promise.resolve(token(`coordinated.${fetches}`)))
      const got = await Promise.all(
        Array.from({ length: 10 }, () => cache.coordinate!(k, fetch, { accept: () => true, signal })),
      )
      assert.equal(fetches, 1)
      assert.equal(new Set(got.map((t) => t.accessToken)).size, 1)
      await cache.coordinate(k, fetch, { accept: () => true, signal })
      assert.equal(fetches, 1, 'an acceptable stored token needs no fetch')
      const rejected = got[0]!.accessToken
      const next = await cache.coordinate(k, fetch, { accept: (t) => t.accessToken !== rejected, signal })
      assert.equal(fetches, 2)
      assert.notEqual(next.accessToken, rejected)
    })

    runner.it('never fails the caller when the store fails', async () => {
      const healthy = await subject.createCache()
      let cache = healthy
      if (subject.breakStore) await subject.breakStore(healthy)
      else cache = throwing()
      const provider = subject.core.createTokenProvider({
        tenantId: authority.tenantId,
        clientId: authority.clientId,
        credential: subject.core.clientSecret(authority.clientSecret) as never,
        authorityHost: authority.authorityHost,
        cache: cache as never,
      })
      try {
        const first = await provider.getToken(`${TEST_API_AUDIENCE}/.default`)
        assert.ok(first.accessToken.length > 0)
        assert.equal(
          (await provider.getToken(`${TEST_API_AUDIENCE}/.default`)).accessToken,
          first.accessToken,
        )
      } finally {
        await provider.close()
        if (subject.breakStore) await subject.repairStore?.(healthy)
      }
    })
  })
}
