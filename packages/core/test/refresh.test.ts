import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import type { Logger, TokenProvider } from '../src/index.js'
import { GRAPH, authority, fakeClock, providerFor } from './support.js'

/** A logger that resolves a promise the next time an event is logged. */
function eventLogger() {
  const waiters = new Map<string, () => void>()
  const emit = (fields: Record<string, unknown>) => waiters.get(String(fields.event))?.()
  const logger: Logger = { debug: emit, info: emit, warn: emit, error: emit }
  const next = (event: string) => new Promise<void>((resolve) => waiters.set(event, resolve))
  return { logger, next }
}

let a: TestAuthority
const providers: TokenProvider[] = []
beforeAll(async () => (a = await authority()))
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  a.reset()
})
afterAll(() => a.close())

describe('proactive refresh', () => {
  it('refreshes 5 minutes before expiry for a 1 h token, serving the cached one meanwhile', async () => {
    const { clock, advance } = fakeClock()
    const events = eventLogger()
    const p = providerFor(a, { clock, logger: events.logger })
    providers.push(p)
    const first = await p.getToken(GRAPH)
    expect(first.refreshAt - clock.now()).toBe(55 * 60_000)
    advance(55 * 60_000 + 1)
    const acquired = events.next('token_acquired')
    const during = await p.getToken(GRAPH)
    expect(during.accessToken).toBe(first.accessToken)
    expect(during.fromCache).toBe(true)
    await acquired
    const after = await p.getToken(GRAPH)
    expect(after.accessToken).not.toBe(first.accessToken)
    expect(a.tokenRequests()).toHaveLength(2)
    expect(p.stats().backgroundRefreshes).toBe(1)
  })

  it("uses the server's refresh_in when it sends one", async () => {
    const b = await authority({ refreshInSeconds: 600 })
    const { clock } = fakeClock()
    const p = providerFor(b, { clock })
    providers.push(p)
    const t = await p.getToken(GRAPH)
    expect(t.refreshAt - clock.now()).toBe(600_000)
    await b.close()
  })

  it('refreshes half-way for tokens of two hours or more', async () => {
    const b = await authority({ tokenLifetimeSeconds: 24 * 3600 })
    const { clock } = fakeClock()
    const p = providerFor(b, { clock })
    providers.push(p)
    const t = await p.getToken(GRAPH)
    expect(t.refreshAt - clock.now()).toBe(12 * 3600_000)
    await b.close()
  })

  it('keeps serving the valid token when the refresh fails, and retries later with backoff', async () => {
    const { clock, advance } = fakeClock()
    const events = eventLogger()
    const p = providerFor(a, { clock, logger: events.logger, retry: false })
    providers.push(p)
    const first = await p.getToken(GRAPH)
    advance(56 * 60_000)
    a.failNext({ status: 503, count: 1 })
    const failed = events.next('refresh_failed')
    expect((await p.getToken(GRAPH)).accessToken).toBe(first.accessToken)
    await failed
    // Within the backoff window: still the valid token, no new request.
    for (let i = 0; i < 10; i++) expect((await p.getToken(GRAPH)).accessToken).toBe(first.accessToken)
    expect(a.tokenRequests()).toHaveLength(2)
    advance(60_000)
    const acquired = events.next('token_acquired')
    expect((await p.getToken(GRAPH)).accessToken).toBe(first.accessToken)
    await acquired
    expect((await p.getToken(GRAPH)).accessToken).not.toBe(first.accessToken)
    expect(a.tokenRequests()).toHaveLength(3)
  })

  it('shows the error only once no valid token is left', async () => {
    const { clock, advance } = fakeClock()
    const p = providerFor(a, { clock, retry: false })
    providers.push(p)
    await p.getToken(GRAPH)
    advance(3600_000)
    a.failNext({ status: 400, error: 'invalid_client', aadsts: 7000215 })
    await expect(p.getToken(GRAPH)).rejects.toMatchObject({ code: 'ERR_TOKEN_REQUEST', aadsts: 'AADSTS7000215' })
  })
})
