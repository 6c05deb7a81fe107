import { ConfigurationError, type AppTokenOptions, type TokenProvider } from '@apptoken/core'
import * as undici8 from 'undici'
import * as undici7 from 'undici7'
import { describe, expect, it } from 'vitest'
import { withAppToken } from '../src/index.js'
import { scopes, statuses, useServers } from './fixtures.js'

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
