import { describe, expect, it } from 'vitest'
import { isApptokenError, type CachedToken, type TokenProvider } from '@apptoken/core'
import type { RedisCacheOptions } from '../src/index.js'
import { SCOPE, providerFor } from './support.js'
import { TARGETS, label, useTarget } from './topology.js'

const KEY = 'https://login.example|client|tenant|api://x/.default'

function token(name: string, expiresInMs: number): CachedToken {
  const now = Date.now()
  return {
    accessToken: name,
    tokenType: 'Bearer',
    expiresAt: now + expiresInMs,
    refreshAt: now + expiresInMs / 2,
    scopes: ['api://x/.default'],
    tenantId: 'tenant',
  }
}

/** A fetch the test finishes by hand, to hold a lock for as long as it needs. */
function heldFetch(result: CachedToken) {
  let release!: () => void
  let started!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const running = new Promise<void>((resolve) => (started = resolve))
  const fetch = async () => {
    started()
    await gate
    return result
  }
  return { fetch, running, release }
}

const fresh = { accept: (t: CachedToken) => t.refreshAt > Date.now() }

describe.each(TARGETS.map((t) => [label(t), t] as const))('coordination (%s)', (_, target) => {
  const suite = useTarget(target)
  const cache = (options: RedisCacheOptions = {}) => suite.cache(options)
  const providers = (...list: TokenProvider[]) => list.map((p) => suite.track(p))

  it('shares one forced refresh after a 401 between replicas', async () => {
    const [a, b] = providers(
      providerFor(suite.authority, await cache()),
      providerFor(suite.authority, await cache()),
    ) as [TokenProvider, TokenProvider]
    const rejected = (await a.getToken(SCOPE)).accessToken
    expect((await b.getToken(SCOPE)).accessToken).toBe(rejected)

    const [ra, rb] = await Promise.all([
      a.getToken(SCOPE, { forceRefresh: true, rejectedToken: rejected }),
      b.getToken(SCOPE, { forceRefresh: true, rejectedToken: rejected }),
    ])
    expect(ra.accessToken).not.toBe(rejected)
    expect(rb.accessToken).toBe(ra.accessToken)
    expect(suite.authority.tokenRequests()).toHaveLength(2)
  })

  it('does not evict a longer-lived token another replica stored while it was fetching', async () => {
    const x = await cache({ lockTtlMs: 1_000 })
    const y = await cache()
    const newer = token('newer', 3_600_000)
    const older = token('older', 600_000)
    const slow = heldFetch(older)
    const signal = new AbortController().signal
    const xCall = x.coordinate(KEY, slow.fetch, { ...fresh, signal })
    await slow.running
    // Meanwhile another replica (its lock expired, say) stores a token that lives longer.
    await y.set(KEY, newer)
    slow.release()

    expect((await xCall).accessToken).toBe('older')
    expect((await y.get(KEY))?.accessToken).toBe('newer')
  })

  it('replaces the token it found unacceptable, even if that one lives longer', async () => {
    const x = await cache()
    const revoked = token('revoked', 3_600_000)
    await x.set(KEY, revoked)
    const signal = new AbortController().signal
    const result = await x.coordinate(KEY, async () => token('replacement', 600_000), {
      accept: (t) => t.accessToken !== 'revoked',
      signal,
    })
    expect(result.accessToken).toBe('replacement')
    expect((await x.get(KEY))?.accessToken).toBe('replacement')
  })

  it('waits for the lock holder, and fetches itself once waitMs has passed (on its clock: no real wait)', async () => {
    const x = await cache()
    // A test clock: each pause between polls moves time on at once.
    let offset = 0
    const clock = {
      now: () => Date.now() + offset,
      sleep: async (ms: number) => {
        offset += ms
        await new Promise((resolve) => setImmediate(resolve))
      },
    }
    const y = await cache({ waitMs: 60_000, clock })
    const slow = heldFetch(token('x', 600_000))
    const signal = new AbortController().signal
    const xCall = x.coordinate(KEY, slow.fetch, { ...fresh, signal })
    await slow.running
    let fetched = 0
    const result = await y.coordinate(KEY, async () => (fetched++, token('y', 600_000)), { ...fresh, signal })
    expect(result.accessToken).toBe('y')
    expect(fetched).toBe(1)
    expect(y.stats()).toMatchObject({ waits: 1, fallbacks: 1, fetches: 0 })
    // The minute of waiting passed on its clock (plus the real milliseconds the test took).
    expect(offset).toBeGreaterThan(55_000)
    slow.release()
    await xCall
  })

  it('takes over when the holder fails, instead of failing too', async () => {
    const x = await cache()
    const y = await cache()
    const signal = new AbortController().signal
    let fail!: (error: Error) => void
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    const xCall = x.coordinate(
      KEY,
      () => {
        started()
        return new Promise<CachedToken>((_, reject) => (fail = reject))
      },
      { ...fresh, signal },
    )
    await running
    const yCall = y.coordinate(KEY, async () => token('y', 600_000), { ...fresh, signal })
    fail(new Error('authority down'))
    await expect(xCall).rejects.toThrow('authority down')
    expect((await yCall).accessToken).toBe('y')
    expect(y.stats()).toMatchObject({ fetches: 1, fallbacks: 0 })
  })

  it('stops waiting when its signal aborts, without fetching', async () => {
    const x = await cache()
    const y = await cache()
    const slow = heldFetch(token('x', 600_000))
    const xCall = x.coordinate(KEY, slow.fetch, { ...fresh, signal: new AbortController().signal })
    await slow.running
    const controller = new AbortController()
    let fetched = false
    const yCall = y.coordinate(KEY, async () => ((fetched = true), token('y', 600_000)), {
      ...fresh,
      signal: controller.signal,
    })
    controller.abort()
    const error: unknown = await yCall.catch((e: unknown) => e)
    expect(isApptokenError(error) && error.code).toBe('ERR_ABORTED')
    expect(fetched).toBe(false)
    slow.release()
    await xCall
  })

  it('keeps its lock alive while a slow fetch outlasts the lock TTL', async () => {
    const x = await cache({ lockTtlMs: 600 })
    const y = await cache()
    const slow = heldFetch(token('x', 600_000))
    const signal = new AbortController().signal
    const xCall = x.coordinate(KEY, slow.fetch, { ...fresh, signal })
    await slow.running
    // y keeps finding the lock taken while x renews it: same owner, TTL reset again and again.
    const yCall = y.coordinate(KEY, async () => token('y', 600_000), { ...fresh, signal })
    const [lock] = await suite.lockKeys()
    const raw = suite.raw
    const owner = await raw.command('GET', lock!)
    let renewals = 0
    let last = Infinity
    for (let i = 0; renewals < 3 && i < 100_000; i++) {
      const ttl = (await raw.command('PTTL', lock!)) as number
      expect(await raw.command('GET', lock!)).toBe(owner)
      if (ttl > last) renewals++
      last = ttl
    }
    expect(renewals).toBe(3)
    expect(y.stats().fetches).toBe(0)
    slow.release()
    expect((await xCall).accessToken).toBe('x')
    expect((await yCall).accessToken).toBe('x')
  })
})
