import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import {
  startProtectedApi,
  startTestAuthority,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import axios, { type AxiosInstance } from 'axios'
import axios18 from 'axios18'
import { Readable } from 'node:stream'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { attachAppToken } from '../src/index.js'
import { CLAIMS, SCOPE, providerFor, signal } from './support.js'

interface Client {
  name: string
  create: (config?: { baseURL?: string }) => AxiosInstance
  isCancel: (value: unknown) => boolean
}

const clients: Client[] = [
  { name: 'axios 1.21', create: (config) => axios.create(config), isCancel: (e) => axios.isCancel(e) },
  // The 1.8 types are a separate copy; at run time both instances have the same shape.
  {
    name: 'axios 1.8',
    create: (config) => axios18.create(config) as unknown as AxiosInstance,
    isCancel: (e) => axios18.isCancel(e),
  },
]

describe.each(clients)('attachAppToken with $name', ({ create, isCancel }) => {
  let authority: TestAuthority
  let api: ProtectedApi
  let other: ProtectedApi
  let provider: TokenProvider
  let client: AxiosInstance

  beforeAll(async () => {
    authority = await startTestAuthority()
    api = await startProtectedApi({ authority })
    other = await startProtectedApi({ authority })
  })
  afterAll(async () => {
    await other.close()
    await api.close()
    await authority.close()
  })
  beforeEach(() => {
    provider = providerFor(authority)
    client = create({ baseURL: api.url })
    attachAppToken(client, provider, { scopes: SCOPE })
  })
  afterEach(async () => {
    await provider.close()
    api.reset()
    other.reset()
    authority.reset()
  })

  const tokens = (server: ProtectedApi) => server.requests.map((r) => r.token)
  const statuses = (server: ProtectedApi) => server.requests.map((r) => r.status)

  it('makes one token request for the first call and none for the next 100', async () => {
    expect((await client.get('/api/todolist')).status).toBe(200)
    expect(authority.tokenRequests()).toHaveLength(1)
    for (let i = 0; i < 100; i++) await client.get('/api/todolist')
    expect(authority.tokenRequests()).toHaveLength(1)
    expect(new Set(tokens(api)).size).toBe(1)
    expect(tokens(api)[0]).toMatch(/^ey/)
  })

  it('refreshes once and retries once when the API revokes the token; the caller sees 200', async () => {
    await client.get('/api/todolist')
    const [first] = tokens(api)
    api.revoke(first!)
    const response = await client.get('/api/todolist')
    expect(response.status).toBe(200)
    expect(authority.tokenRequests()).toHaveLength(2)
    const [, rejected, retried] = api.requests
    expect([rejected?.token, rejected?.status]).toEqual([first, 401])
    expect(retried?.status).toBe(200)
    expect(retried?.token).not.toBe(first)
  })

  it('answers 50 concurrent 401s with one token request, 50 retries and 50 successes', async () => {
    await client.get('/api/todolist')
    const [first] = tokens(api)
    api.revoke(first!)
    api.reset()
    const responses = await Promise.all(Array.from({ length: 50 }, () => client.get('/api/todolist')))
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200))
    expect(authority.tokenRequests()).toHaveLength(2)
    expect(api.requests.filter((r) => r.token === first && r.status === 401)).toHaveLength(50)
    const retries = api.requests.filter((r) => r.token !== first)
    expect(retries).toHaveLength(50)
    expect(retries.every((r) => r.status === 200)).toBe(true)
    expect(new Set(retries.map((r) => r.token)).size).toBe(1)
  })

  it('hands a persistent 401 to the caller after exactly one retry', async () => {
    api.rejectAlways(true)
    const error = await client.get('/api/todolist').catch((e: unknown) => e)
    expect(axios.isAxiosError(error) && error.response?.status).toBe(401)
    expect(statuses(api)).toEqual([401, 401])
    expect(new Set(tokens(api)).size).toBe(2)
  })

  it('answers a claims challenge with one token request carrying the claims', async () => {
    await client.get('/api/todolist')
    api.challengeNext(CLAIMS)
    expect((await client.get('/api/todolist')).status).toBe(200)
    const requests = authority.tokenRequests()
    expect(requests).toHaveLength(2)
    expect(JSON.parse(requests[1]!.claims!)).toEqual(JSON.parse(CLAIMS))
    expect(statuses(api)).toEqual([200, 401, 200])
  })

  it('never sends the token to another origin, by absolute URL or by redirect', async () => {
    await expect(client.get(`${other.url}/api/echo`)).rejects.toMatchObject({ response: { status: 401 } })
    await expect(
      client.get(`/api/redirect?to=${encodeURIComponent(`${other.url}/api/echo`)}`),
    ).rejects.toMatchObject({ response: { status: 401 } })
    expect(other.requests).toHaveLength(2)
    expect(tokens(other)).toEqual([undefined, undefined])
    expect(api.requests[0]?.token).toMatch(/^ey/) // the redirecting hop itself was allowed
  })

  it('refuses plain http to a non-loopback origin at attach time', () => {
    expect(() =>
      attachAppToken(create(), provider, { scopes: SCOPE, origins: ['http://example.com'] }),
    ).toThrow(ConfigurationError)
  })

  it('re-sends a JSON body on the retry', async () => {
    api.rejectNext()
    const response = await client.post('/api/todolist', { title: 'replayed' })
    expect(response.status).toBe(201)
    expect(statuses(api)).toEqual([401, 201])
    expect(api.requests.map((r): unknown => r.body && JSON.parse(r.body))).toEqual([
      { title: 'replayed' },
      { title: 'replayed' },
    ])
  })

  it('does not re-send a stream body; the caller gets the 401', async () => {
    api.rejectNext()
    const body = Readable.from([JSON.stringify({ title: 'streamed' })])
    const error = await client
      .post('/api/todolist', body, { headers: { 'content-type': 'application/json' } })
      .catch((e: unknown) => e)
    expect(axios.isAxiosError(error) && error.response?.status).toBe(401)
    expect(statuses(api)).toEqual([401])
  })

  it('cancels the wait for a token when the caller aborts', async () => {
    const inFlight = signal()
    const slow = providerFor(authority, inFlight.fire)
    const slowClient = create({ baseURL: api.url })
    attachAppToken(slowClient, slow, { scopes: SCOPE })
    authority.failNext({ delayMs: 5000 })
    const controller = new AbortController()
    const call = slowClient.get('/api/todolist', { signal: controller.signal }).catch((e: unknown) => e)
    await inFlight.promise
    controller.abort()
    const error = await call
    expect(isCancel(error)).toBe(true)
    expect(authority.tokenRequests().every((r) => r.status === 0)).toBe(true) // still unanswered
    expect(api.requests).toHaveLength(0)
    await slow.close()
  })

  it('cancels the wait for a refreshed token after a 401 when the caller aborts', async () => {
    const refreshing = signal()
    let requests = 0
    const slow = providerFor(authority, () => void (++requests === 2 && refreshing.fire()))
    const slowClient = create({ baseURL: api.url })
    attachAppToken(slowClient, slow, { scopes: SCOPE })
    await slowClient.get('/api/todolist')
    api.revoke(tokens(api)[0]!)
    authority.failNext({ delayMs: 5000 })
    const controller = new AbortController()
    const call = slowClient.get('/api/todolist', { signal: controller.signal }).catch((e: unknown) => e)
    await refreshing.promise
    controller.abort()
    expect(isCancel(await call)).toBe(true)
    expect(statuses(api)).toEqual([200, 401]) // no retry was sent
    await slow.close()
  })

  it('skips a request that opts out with appToken: false', async () => {
    await expect(client.get('/api/echo', { appToken: false })).rejects.toMatchObject({
      response: { status: 401 },
    })
    expect(tokens(api)).toEqual([undefined])
    expect(authority.tokenRequests()).toHaveLength(0)
  })

  it('stops attaching after detach()', async () => {
    const fresh = create({ baseURL: api.url })
    const detach = attachAppToken(fresh, provider, { scopes: SCOPE })
    expect((await fresh.get('/api/echo')).data.headers.authorization).toBe(true)
    detach()
    await expect(fresh.get('/api/echo')).rejects.toMatchObject({ response: { status: 401 } })
    expect(tokens(api)).toEqual([expect.stringMatching(/^ey/), undefined])
  })

  it('rejects bad input at attach time', () => {
    expect(() => attachAppToken(create(), provider, { scopes: SCOPE })).toThrow(/origins/)
    expect(() => attachAppToken(create(), provider, { scopes: SCOPE })).toThrow(ConfigurationError)
    expect(() =>
      attachAppToken(create({ baseURL: api.url }), provider, { scopes: 'api://apptoken-test-api' }),
    ).toThrow(ConfigurationError)
    expect(() =>
      attachAppToken({} as AxiosInstance, provider, { scopes: SCOPE, origins: [api.url] }),
    ).toThrow(ConfigurationError)
  })
})
