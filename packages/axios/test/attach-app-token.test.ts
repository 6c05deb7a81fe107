import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import {
  startProtectedApi,
  startTestAuthority,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import axios, { type AxiosInstance } from 'axios'
import axios18 from 'axios18'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { attachAppToken } from '../src/index.js'
import { SCOPE, providerFor, signal } from './support.js'

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

// What every adapter promises is in conformance.test.ts; these are axios' own shapes: its
// CanceledError, the `appToken: false` opt-out, detach() and attach-time validation.
describe.each(clients)('attachAppToken with $name', ({ create, isCancel }) => {
  let authority: TestAuthority
  let api: ProtectedApi
  let provider: TokenProvider
  let client: AxiosInstance

  beforeAll(async () => {
    authority = await startTestAuthority()
    api = await startProtectedApi({ authority })
  })
  afterAll(async () => {
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
    authority.reset()
  })

  const tokens = (server: ProtectedApi) => server.requests.map((r) => r.token)
  const statuses = (server: ProtectedApi) => server.requests.map((r) => r.status)

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

  // With a token cached, the header is set by a synchronous interceptor whose runWhen ran before
  // any interceptor: what those change is looked at again, where the request really goes.
  it.each([
    ['a synchronous', (f: (c: { baseURL?: string }) => void) => (c: { baseURL?: string }) => (f(c), c)],
    [
      'an asynchronous',
      (f: (c: { baseURL?: string }) => void) => async (c: { baseURL?: string }) => (f(c), { ...c }),
    ],
  ])('sends no token where %s interceptor added later points the request', async (_, make) => {
    const other = await startProtectedApi({ authority })
    try {
      await client.get('/api/echo') // the token is cached: the synchronous path from now on
      const id = client.interceptors.request.use(make((c) => void (c.baseURL = other.url)) as never)
      await expect(client.get('/api/echo')).rejects.toMatchObject({ response: { status: 401 } })
      expect(tokens(other)).toEqual([undefined])
      client.interceptors.request.eject(id)
      // One that leaves the URL alone changes nothing: the token goes, from the cache.
      client.interceptors.request.use(make(() => undefined) as never)
      expect((await client.get('/api/echo')).data.headers.authorization).toBe(true)
      expect(authority.tokenRequests()).toHaveLength(1)
    } finally {
      await other.close()
    }
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
    expect(() =>
      attachAppToken(create(), provider, { scopes: SCOPE, origins: ['http://example.com'] }),
    ).toThrow(ConfigurationError)
  })
})
