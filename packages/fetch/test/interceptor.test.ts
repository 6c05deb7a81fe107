import type { Readable } from 'node:stream'
import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import * as undici8 from 'undici'
import * as undici7 from 'undici7'
import { afterEach, describe, expect, it } from 'vitest'
import { appTokenInterceptor, type DispatchInterceptor } from '../src/index.js'
import { scopes, statuses, tokens, useServers } from './fixtures.js'

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

  it('retries through fetch({ dispatcher }) too', async () => {
    const c = client()
    await (await c.fetch(`${s.api.url}/api/todolist`)).text()
    s.api.revoke(tokens(s.api)[0]!)
    const res = await c.fetch(`${s.api.url}/api/todolist`)
    expect(res.status).toBe(200)
    expect(await res.json()).toContainEqual(expect.objectContaining({ id: '1' }))
    expect(statuses(s.api)).toEqual([200, 401, 200])
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
