import { Readable } from 'node:stream'
import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import * as undici8 from 'undici'
import * as undici7 from 'undici7'
import { afterEach, describe, expect, it } from 'vitest'
import { appTokenInterceptor, type DispatchInterceptor } from '../src/index.js'
import { claims, scopes, statuses, tokens, useServers } from './fixtures.js'

const s = useServers()

interface Call {
  method?: string
  body?: string | Readable
  headers?: Record<string, string>
  signal?: AbortSignal
}
/** One undici version's `request` and `fetch`, over an Agent composed with the interceptor. */
interface Client {
  request(url: string, call?: Call): Promise<{ statusCode: number; text: string }>
  fetch(url: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}
type Compose = (interceptor: DispatchInterceptor, redirectFirst?: boolean) => Client

// Each version's own `compose` type-checks the interceptor.
const versions: [string, Compose][] = [
  [
    'undici 8',
    (interceptor, redirectFirst) => {
      const redirect = undici8.interceptors.redirect({ maxRedirections: 3 })
      const dispatcher = redirectFirst
        ? new undici8.Agent().compose(redirect, interceptor)
        : new undici8.Agent().compose(interceptor, redirect)
      return {
        request: async (url, call) => {
          const res = await undici8.request(url, { ...call, dispatcher })
          return { statusCode: res.statusCode, text: await res.body.text() }
        },
        fetch: async (url, init) =>
          (await undici8.fetch(url, { ...init, dispatcher } as undici8.RequestInit)) as unknown as Response,
        close: () => dispatcher.close(),
      }
    },
  ],
  [
    'undici 7',
    (interceptor, redirectFirst) => {
      const redirect = undici7.interceptors.redirect({ maxRedirections: 3 })
      const dispatcher = redirectFirst
        ? new undici7.Agent().compose(redirect, interceptor)
        : new undici7.Agent().compose(interceptor, redirect)
      return {
        request: async (url, call) => {
          const res = await undici7.request(url, { ...call, dispatcher })
          return { statusCode: res.statusCode, text: await res.body.text() }
        },
        fetch: async (url, init) =>
          (await undici7.fetch(url, { ...init, dispatcher } as undici7.RequestInit)) as unknown as Response,
        close: () => dispatcher.close(),
      }
    },
  ],
]

describe.each(versions)('appTokenInterceptor with %s', (_name, compose) => {
  let clients: Client[] = []
  const client = (redirectFirst = false) => {
    const c = compose(appTokenInterceptor(s.provider, { scopes, origins: [s.api.origin] }), redirectFirst)
    clients.push(c)
    return c
  }
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()))
    clients = []
  })

  it('makes one token request for the first call and none for the next 100', async () => {
    const c = client()
    const first = await c.request(`${s.api.url}/api/todolist`)
    expect(JSON.parse(first.text)).toContainEqual(expect.objectContaining({ id: '1' }))
    expect(s.authority.tokenRequests()).toHaveLength(1)
    for (let i = 0; i < 100; i++) expect((await c.request(`${s.api.url}/api/todolist`)).statusCode).toBe(200)
    expect(s.authority.tokenRequests()).toHaveLength(1)
    expect(new Set(tokens(s.api)).size).toBe(1)
  })

  it('refreshes once and retries once when the API revokes the token; the caller never sees the 401', async () => {
    const c = client()
    await c.request(`${s.api.url}/api/todolist`)
    const first = tokens(s.api)[0]!
    s.api.revoke(first)
    const res = await c.request(`${s.api.url}/api/todolist`)
    expect(res.statusCode).toBe(200)
    expect(JSON.parse(res.text)).toContainEqual(expect.objectContaining({ id: '1' }))
    expect(s.authority.tokenRequests()).toHaveLength(2)
    expect(statuses(s.api)).toEqual([200, 401, 200])
    expect(tokens(s.api)[2]).not.toBe(first)
  })

  it('retries through fetch({ dispatcher }) too', async () => {
    const c = client()
    await (await c.fetch(`${s.api.url}/api/todolist`)).text()
    s.api.revoke(tokens(s.api)[0]!)
    const res = await c.fetch(`${s.api.url}/api/todolist`)
    expect(res.status).toBe(200)
    expect(await res.json()).toContainEqual(expect.objectContaining({ id: '1' }))
    expect(statuses(s.api)).toEqual([200, 401, 200])
  })

  it('answers 50 concurrent 401s for the same token with one token request and 50 retries', async () => {
    const c = client()
    await c.request(`${s.api.url}/api/todolist`)
    s.api.revoke(tokens(s.api)[0]!)
    s.api.reset()
    const results = await Promise.all(
      Array.from({ length: 50 }, () => c.request(`${s.api.url}/api/todolist`)),
    )
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(200))
    expect(s.authority.tokenRequests()).toHaveLength(2)
    expect(statuses(s.api).filter((x) => x === 401)).toHaveLength(50)
    expect(statuses(s.api).filter((x) => x === 200)).toHaveLength(50)
  })

  it('hands a persistent 401 to the caller, with its body, after exactly one retry', async () => {
    s.api.rejectAlways(true)
    const c = client()
    const res = await c.request(`${s.api.url}/api/todolist`)
    expect(res.statusCode).toBe(401)
    expect(JSON.parse(res.text)).toMatchObject({ error: 'invalid_token' })
    expect(statuses(s.api)).toEqual([401, 401])
    expect(s.authority.tokenRequests()).toHaveLength(2)
    const viaFetch = await c.fetch(`${s.api.url}/api/todolist`)
    expect(viaFetch.status).toBe(401)
    expect(viaFetch.headers.get('www-authenticate')).toMatch(/^Bearer /)
    expect(await viaFetch.json()).toMatchObject({ error: 'invalid_token' })
    expect(s.api.requests).toHaveLength(4)
  })

  it('answers a claims challenge with one token request carrying the claims', async () => {
    const c = client()
    await c.request(`${s.api.url}/api/todolist`)
    s.api.challengeNext(claims)
    expect((await c.request(`${s.api.url}/api/todolist`)).statusCode).toBe(200)
    const requests = s.authority.tokenRequests()
    expect(requests).toHaveLength(2)
    expect(JSON.parse(requests[1]!.claims!)).toMatchObject(JSON.parse(claims))
  })

  it.each([
    ['composed before the redirect interceptor', false],
    ['composed after the redirect interceptor', true],
  ])('never sends the token to another origin when %s', async (_order, redirectFirst) => {
    const c = client(redirectFirst)
    expect((await c.request(`${s.other.url}/public/ping`)).statusCode).toBe(200)
    const to = encodeURIComponent(`${s.other.url}/public/ping`)
    expect((await c.request(`${s.api.url}/api/redirect?to=${to}`)).statusCode).toBe(200)
    expect((await c.fetch(`${s.api.url}/api/redirect?to=${to}`)).status).toBe(200)
    expect(s.api.requests.map((r) => r.token)).toEqual([
      expect.stringMatching(/^ey/),
      expect.stringMatching(/^ey/),
    ])
    expect(s.other.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined, undefined])
    // A same-origin redirect keeps it.
    const same = await c.request(
      `${s.api.url}/api/redirect?to=${encodeURIComponent(`${s.api.url}/api/todolist`)}`,
    )
    expect(same.statusCode).toBe(200)
  })

  it('keeps the caller’s headers and replaces their Authorization for allowed origins', async () => {
    const c = client()
    await c.request(`${s.api.url}/api/echo`, {
      headers: { 'x-trace': 'request', authorization: 'Basic nope' },
    })
    await (await c.fetch(`${s.api.url}/api/echo`, { headers: { 'x-trace': 'fetch' } })).text()
    expect(s.api.requests.map((r) => [r.status, r.headers['x-trace'], r.token !== undefined])).toEqual([
      [200, 'request', true],
      [200, 'fetch', true],
    ])
  })

  it('retries a POST with a string body with the same body', async () => {
    const c = client()
    await c.request(`${s.api.url}/api/todolist`)
    s.api.reset()
    s.api.rejectNext()
    const body = JSON.stringify({ title: 'Retry me' })
    const res = await c.request(`${s.api.url}/api/todolist`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(201)
    expect(JSON.parse(res.text)).toMatchObject({ title: 'Retry me' })
    expect(statuses(s.api)).toEqual([401, 201])
    expect(s.api.requests.map((r) => r.body)).toEqual([body, body])
  })

  it('does not retry a stream body (nor a fetch body, which undici streams): the caller gets the 401', async () => {
    const c = client()
    await c.request(`${s.api.url}/api/todolist`)
    s.api.reset()
    s.api.rejectNext()
    const body = Readable.from([JSON.stringify({ title: 'streamed' })])
    const res = await c.request(`${s.api.url}/api/todolist`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(401)
    s.api.rejectNext()
    const viaFetch = await c.fetch(`${s.api.url}/api/todolist`, {
      method: 'POST',
      body: '{"title":"x"}',
      headers: { 'content-type': 'application/json' },
    })
    expect(viaFetch.status).toBe(401)
    expect(statuses(s.api)).toEqual([401, 401])
    expect(s.authority.tokenRequests()).toHaveLength(1)
  })

  it('cancels the wait for a token when the signal aborts', async () => {
    s.authority.failNext({ delayMs: 5000 })
    const c = client()
    const controller = new AbortController()
    const sent = s.tokenRequestSent()
    const pending = c.request(`${s.api.url}/api/todolist`, { signal: controller.signal })
    await sent
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    const second = new AbortController()
    const viaFetch = c.fetch(`${s.api.url}/api/todolist`, { signal: second.signal })
    second.abort()
    await expect(viaFetch).rejects.toMatchObject({ name: 'AbortError' })
    expect(s.api.requests).toHaveLength(0)
  })

  it('reports the token error through the handler when no token can be had', async () => {
    s.authority.failNext({ status: 401, error: 'invalid_client', aadsts: 7000215 })
    await expect(client().request(`${s.api.url}/api/todolist`)).rejects.toMatchObject({
      code: 'ERR_TOKEN_REQUEST',
      aadsts: 'AADSTS7000215',
    })
    s.authority.failNext({ status: 401, error: 'invalid_client', aadsts: 7000215 })
    const viaFetch = await client()
      .fetch(`${s.api.url}/api/todolist`)
      .catch((e: unknown) => e)
    expect(viaFetch).toMatchObject({ name: 'TypeError', cause: { code: 'ERR_TOKEN_REQUEST' } })
    expect(s.api.requests).toHaveLength(0)
  })

  it('rejects bad input when it is created', () => {
    expect(() => appTokenInterceptor(s.provider, { scopes })).toThrow(ConfigurationError)
    expect(() => appTokenInterceptor(s.provider, { scopes, origins: ['http://api.contoso.com'] })).toThrow(
      /plain http/,
    )
    expect(() => appTokenInterceptor(s.provider, { scopes: 'api://x', origins: [s.api.origin] })).toThrow(
      ConfigurationError,
    )
    expect(() => appTokenInterceptor({} as TokenProvider, { scopes, origins: [s.api.origin] })).toThrow(
      ConfigurationError,
    )
  })
})
