import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import * as installedCopy from '../dist/index.js'
import {
  AbortError,
  ClosedError,
  clientSecret,
  isApptokenError,
  MemoryCache,
  memoryCache,
  type ClientCredential,
  type Clock,
  type TokenProvider,
} from '../src/index.js'
import { API, GRAPH, authority, fakeClock, providerFor } from './support.js'

let a: TestAuthority
const providers: TokenProvider[] = []
const make = (options?: Parameters<typeof providerFor>[1]) => {
  const p = providerFor(a, options)
  providers.push(p)
  return p
}
beforeAll(async () => (a = await authority()))
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  a.reset()
})
afterAll(() => a.close())

describe('the hot path', () => {
  it('answers a cached call with a live signal exactly as one without', async () => {
    const p = make()
    await p.getToken(API)
    const signal = new AbortController().signal
    const plain = p.getToken(API)
    // The same settled promise: no slow path, no listener on the signal.
    expect(p.getToken(API, { signal })).toBe(plain)
    expect(p.getToken(API, { signal, tenantId: a.tenantId })).toBe(plain)
    expect((await plain).fromCache).toBe(true)
    expect(a.tokenRequests()).toHaveLength(1)
  })

  it('still rejects a cached call whose signal has already fired', async () => {
    const p = make()
    await p.getToken(API)
    const error = await p.getToken(API, { signal: AbortSignal.abort('gone') }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AbortError)
    expect((error as AbortError).cause).toBe('gone')
  })
})

describe('close', () => {
  it('aborts a token request in flight: its callers get a ClosedError and nothing is retried', async () => {
    a.failNext({ delayMs: 60_000 })
    let started!: () => void
    const sent = new Promise<void>((resolve) => (started = resolve))
    const secret = clientSecret(a.clientSecret)
    const credential: ClientCredential = {
      kind: 'client_secret',
      authenticate: async (ctx) => {
        const auth = await secret.authenticate(ctx)
        setImmediate(started) // the request goes out right after this returns
        return auth
      },
    }
    const p = make({ credential })
    const waiting = [p.getToken(GRAPH), p.getToken(GRAPH)].map((t) => t.catch((e: unknown) => e))
    await sent
    await p.close()
    for (const error of await Promise.all(waiting)) {
      expect(error).toBeInstanceOf(ClosedError)
      expect(isApptokenError(error, 'ERR_CLOSED')).toBe(true)
    }
    expect(p.stats()).toMatchObject({ tokenRequests: 1, retries: 0 })
  })
})

describe('request timeouts on the clock', () => {
  it("fire through the clock's timer: a hung request is a TimeoutError without waiting", async () => {
    a.failNext({ delayMs: 60_000 })
    const timeouts: number[] = []
    const clock: Clock = {
      ...fakeClock().clock,
      timer: (ms, callback) => {
        timeouts.push(ms)
        const t = setImmediate(callback)
        return () => clearImmediate(t)
      },
    }
    const error = await make({ clock, retry: false, timeoutMs: 5_000 })
      .getToken(GRAPH)
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_TIMEOUT', timeoutMs: 5_000 })
    expect(timeouts).toEqual([5_000])
  })

  it('cancel the timer once the request is answered', async () => {
    let cancelled = 0
    const clock: Clock = {
      ...fakeClock().clock,
      timer: () => () => void cancelled++,
    }
    await make({ clock }).getToken(GRAPH)
    expect(cancelled).toBe(1)
  })
})

describe('memoryCache', () => {
  it('is the store the provider serves from: its size counts the tokens and clear() evicts them', async () => {
    const cache = memoryCache({ maxEntries: 10 })
    const p = make({ cache })
    expect(cache.size).toBe(0)
    const token = await p.getToken(API)
    await p.getToken(GRAPH)
    expect(cache.size).toBe(2)
    cache.clear()
    expect(cache.size).toBe(0)
    expect((await p.getToken(API)).fromCache).toBe(false)
    expect(a.tokenRequests()).toHaveLength(3)
    expect(token.accessToken).not.toBe('')
  })

  it('serves no token clear() evicted, even the one just served from the cache', async () => {
    const cache = memoryCache({ maxEntries: 10 })
    const p = make({ cache })
    await p.getToken(API)
    expect((await p.getToken(API)).fromCache).toBe(true) // the hit the fast path remembers
    cache.clear()
    expect((await p.getToken(API)).fromCache).toBe(false)
    expect(a.tokenRequests()).toHaveLength(2)
  })

  it('is recognised by its brand, even from another installed copy of the package', async () => {
    const cache = new installedCopy.MemoryCache({ maxEntries: 10 })
    expect(cache).not.toBeInstanceOf(MemoryCache)
    const p = make({ cache })
    await p.getToken(API)
    expect(cache.size).toBe(1)
    expect((await p.getToken(API)).fromCache).toBe(true)
    expect(a.tokenRequests()).toHaveLength(1)
  })

  it('keeps the tokens of two authorities apart when providers share it', async () => {
    const other = await authority()
    try {
      const cache = memoryCache()
      const first = make({ cache })
      const second = make({ cache, authorityHost: other.authorityHost })
      const a1 = await first.getToken(API)
      const b1 = await second.getToken(API)
      expect(b1.accessToken).not.toBe(a1.accessToken)
      expect(cache.size).toBe(2)
      // A third provider for the first authority and app is served what the first one cached.
      expect((await make({ cache }).getToken(API)).accessToken).toBe(a1.accessToken)
      expect([a.tokenRequests().length, other.tokenRequests().length]).toEqual([1, 1])
    } finally {
      await other.close()
    }
  })
})
