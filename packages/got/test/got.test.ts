import { Readable } from 'node:stream'
import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import type { ProtectedApi, TestAuthority } from '@apptoken/testing'
import got16, { HTTPError as HTTPError16, type Got } from 'got'
import got14, { HTTPError as HTTPError14 } from 'got14'
import got15, { HTTPError as HTTPError15 } from 'got15'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { appToken, type GotAppTokenExtension } from '../src/index.js'
import { claims, newProvider, scopes, startServers } from './fixtures.js'

let authority: TestAuthority
let api: ProtectedApi
let other: ProtectedApi
let provider: TokenProvider
let tokenRequestSent: () => Promise<unknown>

beforeAll(async () => {
  ;({ authority, api, other } = await startServers())
})
afterAll(async () => {
  await Promise.all([api.close(), other.close()])
  await authority.close()
})
beforeEach(() => {
  authority.reset()
  api.reset()
  other.reset()
  ;({ provider, tokenRequestSent } = newProvider(authority))
})
afterEach(() => provider.close())

const tokens = (server: ProtectedApi) => server.requests.map((r) => r.token)
const statuses = (server: ProtectedApi) => server.requests.map((r) => r.status)

// Each version's own `extend` type-checks the options; the tests then use got 16's types for all.
type Extend = (defaults: { prefixUrl?: string }, options: GotAppTokenExtension) => Got
const versions: [string, Extend, typeof HTTPError16][] = [
  [
    'got 14',
    (defaults, options) => got14.extend(defaults, options) as unknown as Got,
    HTTPError14 as unknown as typeof HTTPError16,
  ],
  [
    'got 15',
    (defaults, options) => got15.extend(defaults, options) as unknown as Got,
    HTTPError15 as unknown as typeof HTTPError16,
  ],
  ['got 16', (defaults, options) => got16.extend(defaults, options), HTTPError16],
]

describe.each(versions)('%s', (_name, extend, HTTPError) => {
  const client = () => extend({ prefixUrl: api.url }, appToken(provider, { scopes, prefixUrl: api.url }))

  it('makes one token request for the first call and none for the next 100', async () => {
    const api1 = client()
    expect(await api1('api/todolist').json()).toContainEqual(expect.objectContaining({ id: '1' }))
    expect(authority.tokenRequests()).toHaveLength(1)
    for (let i = 0; i < 100; i++) expect((await api1('api/todolist')).statusCode).toBe(200)
    expect(authority.tokenRequests()).toHaveLength(1)
    expect(new Set(tokens(api)).size).toBe(1)
    expect(tokens(api)[0]).toMatch(/^ey/)
  })

  it('refreshes once and retries once when the API revokes the token; the caller never sees the 401', async () => {
    const api1 = client()
    await api1('api/todolist')
    const first = tokens(api)[0]!
    api.revoke(first)
    const res = await api1('api/todolist')
    expect(res.statusCode).toBe(200)
    expect(authority.tokenRequests()).toHaveLength(2)
    expect(statuses(api)).toEqual([200, 401, 200])
    expect(tokens(api)[1]).toBe(first)
    expect(tokens(api)[2]).not.toBe(first)
  })

  it('answers 50 concurrent 401s for the same token with one token request and 50 retries', async () => {
    const api1 = client()
    await api1('api/todolist')
    api.revoke(tokens(api)[0]!)
    api.reset()
    const results = await Promise.all(Array.from({ length: 50 }, () => api1('api/todolist')))
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(200))
    expect(authority.tokenRequests()).toHaveLength(2)
    expect(statuses(api).filter((s) => s === 401)).toHaveLength(50)
    expect(statuses(api).filter((s) => s === 200)).toHaveLength(50)
    expect(new Set(api.requests.filter((r) => r.status === 200).map((r) => r.token)).size).toBe(1)
  })

  it('hands a persistent 401 to the caller after exactly one retry', async () => {
    api.rejectAlways(true)
    const error = await client()('api/todolist').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HTTPError)
    expect((error as InstanceType<typeof HTTPError>).response.statusCode).toBe(401)
    expect(statuses(api)).toEqual([401, 401])
    expect(authority.tokenRequests()).toHaveLength(2)
    const res = await client()('api/todolist', { throwHttpErrors: false })
    expect(res.statusCode).toBe(401)
    expect(api.requests).toHaveLength(4)
  })

  it('answers a claims challenge with one token request carrying the claims', async () => {
    const api1 = client()
    await api1('api/todolist')
    api.challengeNext(claims)
    expect((await api1('api/todolist')).statusCode).toBe(200)
    const requests = authority.tokenRequests()
    expect(requests).toHaveLength(2)
    expect(JSON.parse(requests[1]!.claims!)).toMatchObject(JSON.parse(claims))
    expect(statuses(api)).toEqual([200, 401, 200])
  })

  it('never sends the token to another origin: absolute URLs and cross-origin redirects', async () => {
    const anywhere = extend({}, appToken(provider, { scopes, origins: [api.origin] }))
    expect((await anywhere(`${api.url}/api/todolist`)).statusCode).toBe(200)
    expect((await anywhere(`${other.url}/public/ping`)).statusCode).toBe(200)
    const redirected = await client()('api/redirect', { searchParams: { to: `${other.url}/public/ping` } })
    expect(redirected.statusCode).toBe(200)
    expect(redirected.url).toBe(`${other.url}/public/ping`)
    expect(other.requests).toHaveLength(2)
    expect(other.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined])
    // A same-origin redirect keeps it.
    const same = await client()('api/redirect', { searchParams: { to: `${api.url}/api/todolist` } })
    expect(same.statusCode).toBe(200)
    expect(api.requests.at(-1)?.token).toBe(tokens(api)[0])
  })

  it('an allowed origin redirecting to another that answers 401 forces no refresh and no replay', async () => {
    const res = await client()('api/redirect', {
      searchParams: { to: `${other.url}/api/echo` },
      throwHttpErrors: false,
    })
    expect(res.statusCode).toBe(401)
    expect(res.redirectUrls.map(String)).toEqual([`${other.url}/api/echo`])
    expect(other.requests.map((r) => [r.status, r.headers.authorization])).toEqual([[401, undefined]])
    expect(statuses(api)).toEqual([302])
    expect(authority.tokenRequests()).toHaveLength(1)
  })

  it('retries a POST with a JSON body with the same body', async () => {
    const api1 = client()
    await api1('api/todolist')
    api.reset()
    api.rejectNext()
    const created = await api1.post('api/todolist', { json: { title: 'Retry me' } }).json<{ title: string }>()
    expect(created.title).toBe('Retry me')
    expect(statuses(api)).toEqual([401, 201])
    expect(JSON.parse(api.requests[1]!.body!)).toEqual({ title: 'Retry me' })
    expect(api.requests[1]!.body).toBe(api.requests[0]!.body)
  })

  it('does not retry a stream body: the caller gets the 401', async () => {
    const api1 = client()
    await api1('api/todolist')
    api.reset()
    api.rejectNext()
    const body = Readable.from([JSON.stringify({ title: 'streamed' })])
    const error = await api1
      .post('api/todolist', { body, headers: { 'content-type': 'application/json' } })
      .catch((e: unknown) => e)
    expect((error as InstanceType<typeof HTTPError>).response.statusCode).toBe(401)
    expect(statuses(api)).toEqual([401])
    expect(authority.tokenRequests()).toHaveLength(1)
  })

  it('attaches the token to got.stream requests (which are not retried on 401)', async () => {
    const api1 = client()
    const chunks: Buffer[] = []
    for await (const chunk of api1.stream('api/todolist')) chunks.push(chunk as Buffer)
    expect(JSON.parse(Buffer.concat(chunks).toString())).toContainEqual(expect.objectContaining({ id: '1' }))
    expect(tokens(api)[0]).toMatch(/^ey/)
    api.rejectNext()
    const failed = await (async () => {
      for await (const _ of api1.stream('api/todolist')) void _
    })().catch((e: unknown) => e)
    expect((failed as InstanceType<typeof HTTPError>).response.statusCode).toBe(401)
    expect(statuses(api)).toEqual([200, 401])
  })

  it('cancels the wait for a token when the signal aborts', async () => {
    authority.failNext({ delayMs: 5000 })
    const controller = new AbortController()
    const sent = tokenRequestSent()
    const pending = client()('api/todolist', { signal: controller.signal }).catch((e: unknown) => e)
    await sent
    controller.abort()
    const error = await pending
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).name).toMatch(/AbortError/)
    expect(api.requests).toHaveLength(0)
  })

  it('fails the request with the token error when no token can be had', async () => {
    authority.failNext({ status: 401, error: 'invalid_client', aadsts: 7000215 })
    const error = await client()('api/todolist').catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'RequestError' })
    expect((error as Error).cause).toMatchObject({ code: 'ERR_TOKEN_REQUEST', aadsts: 'AADSTS7000215' })
    expect(api.requests).toHaveLength(0)
  })

  it('rejects bad input when the options are created', () => {
    expect(() => appToken(provider, { scopes })).toThrow(ConfigurationError)
    expect(() => appToken(provider, { scopes, origins: ['http://api.contoso.com'] })).toThrow(/plain http/)
    expect(() => appToken(provider, { scopes, prefixUrl: 'http://api.contoso.com' })).toThrow(
      ConfigurationError,
    )
    expect(() => appToken(provider, { scopes: 'api://x', prefixUrl: api.url })).toThrow(ConfigurationError)
    expect(() => appToken({} as TokenProvider, { scopes, prefixUrl: api.url })).toThrow(ConfigurationError)
    expect(() => appToken(provider, {} as never)).toThrow(ConfigurationError)
    expect(() => appToken(provider, { scopes })).toThrow(/origins/)
  })
})
