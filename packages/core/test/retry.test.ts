import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { TokenRequestError, clientSecret, isTokenRequestError, parseHttpDate, parseRetryAfter, type TokenProvider } from '../src/index.js'
import { GRAPH, authority, fakeClock, providerFor } from './support.js'

let a: TestAuthority
const providers: TokenProvider[] = []
const make = (options: Parameters<typeof providerFor>[1] = {}) => {
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

describe('token endpoint retries', () => {
  it('waits for Retry-After: 1 after a 429, then succeeds with one retry', async () => {
    const { clock, sleeps } = fakeClock()
    a.failNext({ status: 429, retryAfter: 1 })
    const token = await make({ clock, retry: {} }).getToken(GRAPH)
    expect(token.accessToken).toBeTruthy()
    expect(sleeps).toEqual([1000])
    expect(a.tokenRequests().map((r) => r.status)).toEqual([429, 200])
  })

  it('honours retry-after-ms and x-ms-retry-after-ms', async () => {
    const { clock, sleeps } = fakeClock()
    a.failNext({ status: 503, headers: { 'retry-after-ms': '250' } })
    a.failNext({ status: 503, headers: { 'x-ms-retry-after-ms': '75' } })
    await make({ clock, retry: {} }).getToken(GRAPH)
    expect(sleeps).toEqual([250, 75])
  })

  it('backs off exponentially with jitter on 5xx, 408 and dropped connections', async () => {
    const { clock, sleeps } = fakeClock()
    a.failNext({ status: 500 })
    a.failNext({ status: 408 })
    a.failNext({ drop: true })
    await make({ clock, retry: { baseDelayMs: 100, maxDelayMs: 10_000 } }).getToken(GRAPH)
    expect(a.tokenRequests().length).toBe(4)
    expect(sleeps).toHaveLength(3)
    expect(sleeps[0]).toBeGreaterThanOrEqual(50)
    expect(sleeps[0]).toBeLessThanOrEqual(100)
    expect(sleeps[2]).toBeGreaterThanOrEqual(200)
    expect(sleeps[2]).toBeLessThanOrEqual(400)
  })

  it('gives up after maxRetries and reports the last error', async () => {
    const { clock } = fakeClock()
    a.failNext({ status: 503, count: 10 })
    const error = await make({ clock, retry: { maxRetries: 2 } }).getToken(GRAPH).catch((e: unknown) => e)
    expect(isTokenRequestError(error) && error.status).toBe(503)
    expect(a.tokenRequests()).toHaveLength(3)
  })

  it('stops when a Retry-After would exceed the time budget', async () => {
    const { clock, sleeps } = fakeClock()
    a.failNext({ status: 429, retryAfter: 120 })
    await expect(make({ clock, retry: { maxElapsedMs: 60_000 } }).getToken(GRAPH)).rejects.toMatchObject({ status: 429 })
    expect(sleeps).toEqual([])
  })

  it('never retries invalid_client and explains the wrong-secret case', async () => {
    const p = make({ credential: clientSecret('definitely-the-wrong-secret') })
    const error = await p.getToken(GRAPH).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TokenRequestError)
    const e = error as TokenRequestError
    expect(e).toMatchObject({ code: 'ERR_TOKEN_REQUEST', status: 401, error: 'invalid_client', aadsts: 'AADSTS7000215' })
    expect(e.errorCodes).toEqual([7000215])
    expect(e.traceId).toMatch(/^[0-9a-f-]{36}$/)
    expect(e.correlationId).toMatch(/^[0-9a-f-]{36}$/)
    expect(e.hint).toContain("secret's Value")
    expect(e.message).toContain('Hint:')
    expect(e.message).not.toContain('definitely-the-wrong-secret')
    expect(a.tokenRequests()).toHaveLength(1)
  })

  it('never retries invalid_scope, and hints at /.default', async () => {
    a.failNext({ status: 400, error: 'invalid_scope', aadsts: 70011 })
    const e = (await make().getToken(GRAPH).catch((x: unknown) => x)) as TokenRequestError
    expect(e.aadsts).toBe('AADSTS70011')
    expect(e.hint).toContain('/.default')
    expect(a.tokenRequests()).toHaveLength(1)
  })

  it.each([
    [700016, 'not found in this tenant'],
    [90002, 'tenant was not found'],
  ])('hints for AADSTS%i', async (code, text) => {
    a.failNext({ status: 400, error: 'invalid_request', aadsts: code })
    const e = (await make().getToken(GRAPH).catch((x: unknown) => x)) as TokenRequestError
    expect(e.hint).toContain(text)
  })

  it('times out a hung request with a TimeoutError', async () => {
    a.failNext({ delayMs: 2_000 })
    await expect(make({ retry: false, timeoutMs: 50 }).getToken(GRAPH)).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
  })
})

describe('responses that are not tokens', () => {
  it.each([
    ['not json', 'not a JSON object'],
    ['{"token_type":"Bearer","expires_in":3600}', 'without an access_token'],
    ['{"access_token":"x.y.z","expires_in":-5}', 'nonsensical expires_in'],
    ['{"access_token":"x.y.z","expires_in":"soon"}', 'usable expires_in'],
  ])('rejects %s and does not cache it', async (body, text) => {
    const p = make()
    a.failNext({ status: 200, body })
    const error = await p.getToken(GRAPH).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_INVALID_TOKEN_RESPONSE', message: expect.stringContaining(text) })
    const good = await p.getToken(GRAPH)
    expect(good.fromCache).toBe(false)
    expect(a.tokenRequests()).toHaveLength(2)
  })

  it('limits the size of a response body', async () => {
    a.failNext({ status: 200, body: JSON.stringify({ access_token: 'x'.repeat(10_000), expires_in: 3600 }) })
    await expect(make({ maxResponseBytes: 4096 }).getToken(GRAPH)).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN_RESPONSE', message: expect.stringContaining('exceeded 4096 bytes') })
  })
})

describe('Retry-After HTTP-dates (RFC 9110 §5.6.7)', () => {
  const at = Date.UTC(1994, 10, 6, 8, 49, 37)
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', at],
    ['Sunday, 06-Nov-94 08:49:37 GMT', at],
    ['Sun Nov  6 08:49:37 1994', at],
    ['Sun Nov 16 08:49:37 1994', Date.UTC(1994, 10, 16, 8, 49, 37)],
  ])('reads %s', (value, expected) => {
    expect(parseHttpDate(value, Date.UTC(2026, 0, 1))).toBe(expected)
  })

  it('reads a two-digit year more than 50 years ahead as the past century', () => {
    expect(parseHttpDate('Tuesday, 01-Jan-80 00:00:00 GMT', Date.UTC(2026, 0, 1))).toBe(Date.UTC(1980, 0, 1))
    expect(parseHttpDate('Friday, 01-Jan-27 00:00:00 GMT', Date.UTC(2026, 0, 1))).toBe(Date.UTC(2027, 0, 1))
  })

  it.each([
    '2026-10-21T07:28:00Z',
    'Sun, 06 Nov 1994 08:49:37 PST',
    'sun, 06 nov 1994 08:49:37 GMT',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 25:49:37 GMT',
    'Nov 6 1994',
    'Sun, 06 Nov 1994 08:49:37 GMT trailing',
  ])('refuses %s, which Date.parse would guess at', (value) => {
    expect(parseHttpDate(value)).toBeUndefined()
    expect(parseRetryAfter({ 'retry-after': value }, at)).toBeUndefined()
  })

  it('turns a date into the delay until it, and a past date into 0', () => {
    expect(parseRetryAfter({ 'retry-after': 'Sun, 06 Nov 1994 08:49:47 GMT' }, at)).toBe(10_000)
    expect(parseRetryAfter({ 'retry-after': 'Sun, 06 Nov 1994 08:49:27 GMT' }, at)).toBe(0)
  })

  it('waits for a Retry-After date the authority sends', async () => {
    const { clock, sleeps } = fakeClock(at)
    a.failNext({ status: 503, retryAfter: 'Sun, 06 Nov 1994 08:49:39 GMT' })
    await make({ clock, retry: {} }).getToken(GRAPH)
    expect(sleeps).toEqual([2_000])
  })
})
