import { ConfigurationError, type AppTokenOptions, type TokenProvider } from '@apptoken/core'
import * as undici8 from 'undici'
import * as undici7 from 'undici7'
import { describe, expect, it } from 'vitest'
import { withAppToken } from '../src/index.js'
import { claims, scopes, statuses, tokens, useServers } from './fixtures.js'

const s = useServers()

type Wrap = (provider: TokenProvider, options: AppTokenOptions) => typeof fetch
// Each fetch's own types check `withAppToken`; the tests then use the global types for all.
const fetches: [string, Wrap, typeof Request][] = [
  ['global fetch', (p, o) => withAppToken(fetch, p, o), Request],
  [
    'undici 8 fetch',
    (p, o) => withAppToken(undici8.fetch, p, o) as unknown as typeof fetch,
    undici8.Request as unknown as typeof Request,
  ],
  [
    'undici 7 fetch',
    (p, o) => withAppToken(undici7.fetch, p, o) as unknown as typeof fetch,
    undici7.Request as unknown as typeof Request,
  ],
]

describe.each(fetches)('withAppToken with %s', (_name, wrap, RequestClass) => {
  const client = () => wrap(s.provider, { scopes, origins: [s.api.origin] })

  it('makes one token request for the first call and none for the next 100', async () => {
    const apiFetch = client()
    const res = await apiFetch(`${s.api.url}/api/todolist`)
    expect(await res.json()).toContainEqual(expect.objectContaining({ id: '1' }))
    expect(s.authority.tokenRequests()).toHaveLength(1)
    for (let i = 0; i < 100; i++)
      expect((await apiFetch(new URL('/api/todolist', s.api.url))).status).toBe(200)
    expect(s.authority.tokenRequests()).toHaveLength(1)
    expect(new Set(tokens(s.api)).size).toBe(1)
  })

  it('refreshes once and retries once when the API revokes the token; the caller never sees the 401', async () => {
    const apiFetch = client()
    await (await apiFetch(`${s.api.url}/api/todolist`)).text()
    const first = tokens(s.api)[0]!
    s.api.revoke(first)
    const res = await apiFetch(`${s.api.url}/api/todolist`)
    expect(res.status).toBe(200)
    expect(await res.json()).toContainEqual(expect.objectContaining({ id: '1' }))
    expect(s.authority.tokenRequests()).toHaveLength(2)
    expect(statuses(s.api)).toEqual([200, 401, 200])
    expect(tokens(s.api)[2]).not.toBe(first)
  })

  it('answers 50 concurrent 401s for the same token with one token request and 50 retries', async () => {
    const apiFetch = client()
    await (await apiFetch(`${s.api.url}/api/todolist`)).text()
    s.api.revoke(tokens(s.api)[0]!)
    s.api.reset()
    const results = await Promise.all(
      Array.from({ length: 50 }, () => apiFetch(`${s.api.url}/api/todolist`).then((r) => r.status)),
    )
    expect(results).toEqual(Array(50).fill(200))
    expect(s.authority.tokenRequests()).toHaveLength(2)
    expect(statuses(s.api).filter((x) => x === 401)).toHaveLength(50)
    expect(statuses(s.api).filter((x) => x === 200)).toHaveLength(50)
  })

  it('hands a persistent 401 to the caller after exactly one retry', async () => {
    s.api.rejectAlways(true)
    const res = await client()(`${s.api.url}/api/todolist`)
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: 'invalid_token' })
    expect(statuses(s.api)).toEqual([401, 401])
    expect(s.authority.tokenRequests()).toHaveLength(2)
  })

  it('answers a claims challenge with one token request carrying the claims', async () => {
    const apiFetch = client()
    await (await apiFetch(`${s.api.url}/api/todolist`)).text()
    s.api.challengeNext(claims)
    expect((await apiFetch(`${s.api.url}/api/todolist`)).status).toBe(200)
    const requests = s.authority.tokenRequests()
    expect(requests).toHaveLength(2)
    expect(JSON.parse(requests[1]!.claims!)).toMatchObject(JSON.parse(claims))
  })

  it('never sends the token to another origin: absolute URLs and cross-origin redirects', async () => {
    const apiFetch = client()
    expect((await apiFetch(`${s.other.url}/public/ping`)).status).toBe(200)
    const to = encodeURIComponent(`${s.other.url}/public/ping`)
    const redirected = await apiFetch(`${s.api.url}/api/redirect?to=${to}`)
    expect(redirected.status).toBe(200)
    expect(redirected.url).toBe(`${s.other.url}/public/ping`)
    expect(s.api.requests[0]!.token).toMatch(/^ey/)
    expect(s.other.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined])
    // A same-origin redirect keeps it.
    const same = await apiFetch(
      `${s.api.url}/api/redirect?to=${encodeURIComponent(`${s.api.url}/api/todolist`)}`,
    )
    expect(same.status).toBe(200)
  })

  it('keeps the caller’s headers, from init or from a Request', async () => {
    const apiFetch = client()
    await (
      await apiFetch(`${s.api.url}/api/echo`, { headers: { 'x-trace': 'init', authorization: 'Basic nope' } })
    ).text()
    await (
      await apiFetch(new RequestClass(`${s.api.url}/api/echo`, { headers: { 'x-trace': 'request' } }))
    ).text()
    expect(s.api.requests.map((r) => [r.status, r.headers['x-trace']])).toEqual([
      [200, 'init'],
      [200, 'request'],
    ])
  })

  it('retries a POST with a JSON body with the same body, from init or from a Request', async () => {
    const apiFetch = client()
    await (await apiFetch(`${s.api.url}/api/todolist`)).text()
    s.api.reset()
    s.api.rejectNext()
    const body = JSON.stringify({ title: 'Retry me' })
    const headers = { 'content-type': 'application/json' }
    const res = await apiFetch(`${s.api.url}/api/todolist`, { method: 'POST', body, headers })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ title: 'Retry me' })
    s.api.rejectNext()
    const viaRequest = await apiFetch(
      new RequestClass(`${s.api.url}/api/todolist`, { method: 'POST', body, headers }),
    )
    expect(viaRequest.status).toBe(201)
    expect(statuses(s.api)).toEqual([401, 201, 401, 201])
    expect(s.api.requests.map((r) => r.body)).toEqual([body, body, body, body])
  })

  it('does not retry a stream body: the caller gets the 401', async () => {
    const apiFetch = client()
    await (await apiFetch(`${s.api.url}/api/todolist`)).text()
    s.api.reset()
    s.api.rejectNext()
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ title: 'streamed' })))
        controller.close()
      },
    })
    // `duplex` (needed for a stream body) is missing from the DOM typings of RequestInit.
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: { 'content-type': 'application/json' },
    }
    const res = await apiFetch(`${s.api.url}/api/todolist`, init)
    expect(res.status).toBe(401)
    expect(statuses(s.api)).toEqual([401])
    expect(s.authority.tokenRequests()).toHaveLength(1)
  })

  it('cancels the wait for a token when the signal aborts (init.signal or Request.signal)', async () => {
    s.authority.failNext({ delayMs: 5000 })
    const apiFetch = client()
    const controller = new AbortController()
    const sent = s.tokenRequestSent()
    const pending = apiFetch(`${s.api.url}/api/todolist`, { signal: controller.signal })
    await sent
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    const second = new AbortController()
    const viaRequest = apiFetch(new RequestClass(`${s.api.url}/api/todolist`, { signal: second.signal }))
    second.abort(new Error('shutting down'))
    await expect(viaRequest).rejects.toThrow('shutting down')
    expect(s.api.requests).toHaveLength(0)
  })

  it('rejects with the token error when no token can be had', async () => {
    s.authority.failNext({ status: 401, error: 'invalid_client', aadsts: 7000215 })
    await expect(client()(`${s.api.url}/api/todolist`)).rejects.toMatchObject({
      code: 'ERR_TOKEN_REQUEST',
      aadsts: 'AADSTS7000215',
    })
    expect(s.api.requests).toHaveLength(0)
  })

  it('rejects bad input when it wraps', () => {
    expect(() => wrap(s.provider, { scopes })).toThrow(ConfigurationError)
    expect(() => wrap(s.provider, { scopes, origins: ['http://api.contoso.com'] })).toThrow(/plain http/)
    expect(() => wrap(s.provider, { scopes: 'api://x', origins: [s.api.origin] })).toThrow(ConfigurationError)
    expect(() => wrap({} as TokenProvider, { scopes, origins: [s.api.origin] })).toThrow(ConfigurationError)
    expect(() =>
      withAppToken(undefined as unknown as typeof fetch, s.provider, { scopes, origins: [s.api.origin] }),
    ).toThrow(ConfigurationError)
  })
})
