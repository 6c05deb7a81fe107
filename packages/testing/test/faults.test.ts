import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { TEST_API_AUDIENCE, startTestAuthority, type TestAuthority } from '../src/index.js'
import { get, postToken, secretForm } from './support.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`
let authority: TestAuthority
beforeAll(async () => {
  authority = await startTestAuthority()
})
afterAll(() => authority.close())
beforeEach(() => authority.reset())

describe('failNext', () => {
  it('answers with the status, Retry-After and an Entra-shaped body, then recovers', async () => {
    authority.failNext({ status: 429, error: 'temporarily_unavailable', aadsts: 50196, retryAfter: 7 })

    const throttled = await postToken(authority, secretForm(authority, SCOPE))
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toBe('7')
    expect(throttled.body).toMatchObject({ error: 'temporarily_unavailable', error_codes: [50196] })
    expect(throttled.body.error_description).toMatch(/^AADSTS50196: /)

    expect((await postToken(authority, secretForm(authority, SCOPE))).status).toBe(200)
    expect(authority.tokenRequests().map((r) => [r.status, r.error])).toEqual([
      [429, 'temporarily_unavailable'],
      [200, undefined],
    ])
  })

  it('applies a fault count times, FIFO', async () => {
    authority.failNext({ status: 503, count: 2 })
    authority.failNext({ status: 500, headers: { 'x-ms-ests-server': 'test' } })

    const statuses = []
    for (let i = 0; i < 4; i++)
      statuses.push((await postToken(authority, secretForm(authority, SCOPE))).status)
    expect(statuses).toEqual([503, 503, 500, 200])
  })

  it('sends a raw body that is not JSON', async () => {
    authority.failNext({ status: 502, body: 'not json' })
    const res = await postToken(authority, secretForm(authority, SCOPE))
    expect(res.status).toBe(502)
    expect(res.text).toBe('not json')
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
  })

  it('drops the connection without a response', async () => {
    authority.failNext({ drop: true })
    await expect(postToken(authority, secretForm(authority, SCOPE))).rejects.toThrow(/fetch failed/)
    expect(authority.tokenRequests()[0]).toMatchObject({ status: 0 })
    expect((await postToken(authority, secretForm(authority, SCOPE))).status).toBe(200)
  })

  it('delays then answers normally when only delayMs is set', async () => {
    authority.failNext({ delayMs: 300 })
    const held = settled(postToken(authority, secretForm(authority, SCOPE)))
    while (authority.requests.length === 0) await new Promise((resolve) => setImmediate(resolve))
    // A request sent after it, with no fault, is answered while the delayed one is still held.
    expect((await postToken(authority, secretForm(authority, SCOPE))).status).toBe(200)
    expect(held.done).toBe(false)
    expect((await held.promise).status).toBe(200)
  })

  it('leaves token faults alone for managed identity requests and the reverse', async () => {
    authority.failNext({ kind: 'imds', status: 503 })
    expect((await postToken(authority, secretForm(authority, SCOPE))).status).toBe(200)
    expect(
      (
        await get(
          `${authority.managedIdentity.imdsEndpoint}?api-version=2018-02-01&resource=${TEST_API_AUDIENCE}`,
          { metadata: 'true' },
        )
      ).status,
    ).toBe(503)
  })

  it('records faulted requests with who asked and how', async () => {
    authority.failNext({ status: 503 })
    const basic = Buffer.from(`${authority.clientId}:${authority.clientSecret}`).toString('base64')
    await postToken(
      authority,
      { grant_type: 'client_credentials', scope: SCOPE },
      { headers: { authorization: `Basic ${basic}` } },
    )
    expect(authority.tokenRequests({ clientId: authority.clientId })).toMatchObject([
      { status: 503, authMethod: 'client_secret_basic', scope: SCOPE },
    ])
  })

  it('refuses a fault count below 1', () => {
    expect(() => authority.failNext({ status: 500, count: 0 })).toThrow(RangeError)
  })

  it('closes promptly even while a fault delays a response', async () => {
    const slow = await startTestAuthority()
    slow.failNext({ delayMs: 60_000 })
    const pending = postToken(slow, secretForm(slow, SCOPE)).catch((error: unknown) => error)
    while (slow.requests.length === 0) await new Promise((resolve) => setImmediate(resolve))
    // The fault waits 60 s: close() must cut it short rather than wait (a hang fails by timeout).
    await slow.close()
    expect(await pending).toBeInstanceOf(Error)
  })
})

describe('latencyMs', () => {
  it('holds every token response', async () => {
    const slow = await startTestAuthority({ latencyMs: 60_000 })
    const held = settled(postToken(slow, secretForm(slow, SCOPE)).catch((error: unknown) => error))
    try {
      while (slow.requests.length === 0) await new Promise((resolve) => setImmediate(resolve))
      // An authority without latency answers meanwhile; the slow one is still holding its response.
      expect((await postToken(authority, secretForm(authority, SCOPE))).status).toBe(200)
      expect(held.done).toBe(false)
    } finally {
      await slow.close()
    }
    expect(await held.promise).toBeInstanceOf(Error)
  })
})

/** A promise with a flag telling whether it has settled yet: ordering, not elapsed time. */
function settled<T>(promise: Promise<T>): { promise: Promise<T>; done: boolean } {
  const state = { promise, done: false }
  promise.then(
    () => (state.done = true),
    () => (state.done = true),
  )
  return state
}
