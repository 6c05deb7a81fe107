import { ConfigurationError } from '@apptoken/core'
import { useTestApis, type ProtectedApi } from '@apptoken/testing'
import axios, { type AxiosInstance } from 'axios'
import axios18 from 'axios18'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { attachAppToken } from '../src/index.js'
import { SCOPE, providerFor } from './support.js'

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
  const s = useTestApis({ beforeAll, afterAll, beforeEach, afterEach }, { createProvider: providerFor })
  let client: AxiosInstance

  beforeEach(() => {
    client = create({ baseURL: s.api.url })
    attachAppToken(client, s.provider, { scopes: SCOPE })
  })

  const tokens = (server: ProtectedApi) => server.requests.map((r) => r.token)
  const statuses = (server: ProtectedApi) => server.requests.map((r) => r.status)

  it('cancels the wait for a token when the caller aborts', async () => {
    const inFlight = Promise.withResolvers<void>()
    const slow = providerFor(s.authority, inFlight.resolve)
    const slowClient = create({ baseURL: s.api.url })
    attachAppToken(slowClient, slow, { scopes: SCOPE })
    s.authority.failNext({ delayMs: 5000 })
    const controller = new AbortController()
    const call = slowClient.get('/api/todolist', { signal: controller.signal }).catch((e: unknown) => e)
    await inFlight.promise
    controller.abort()
    const error = await call
    expect(isCancel(error)).toBe(true)
    expect(s.authority.tokenRequests().every((r) => r.status === 0)).toBe(true) // still unanswered
    expect(s.api.requests).toHaveLength(0)
    await slow.close()
  })

  it('cancels the wait for a refreshed token after a 401 when the caller aborts', async () => {
    const refreshing = Promise.withResolvers<void>()
    let requests = 0
    const slow = providerFor(s.authority, () => void (++requests === 2 && refreshing.resolve()))
    const slowClient = create({ baseURL: s.api.url })
    attachAppToken(slowClient, slow, { scopes: SCOPE })
    await slowClient.get('/api/todolist')
    s.api.revoke(tokens(s.api)[0]!)
    s.authority.failNext({ delayMs: 5000 })
    const controller = new AbortController()
    const call = slowClient.get('/api/todolist', { signal: controller.signal }).catch((e: unknown) => e)
    await refreshing.promise
    controller.abort()
    expect(isCancel(await call)).toBe(true)
    expect(statuses(s.api)).toEqual([200, 401]) // no retry was sent
    await slow.close()
  })

  it('skips a request that opts out with appToken: false', async () => {
    await expect(client.get('/api/echo', { appToken: false })).rejects.toMatchObject({
      response: { status: 401 },
    })
    expect(tokens(s.api)).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(0)
  })

  it('stops attaching after detach()', async () => {
    const fresh = create({ baseURL: s.api.url })
    const detach = attachAppToken(fresh, s.provider, { scopes: SCOPE })
    expect((await fresh.get('/api/echo')).data.headers.authorization).toBe(true)
    detach()
    await expect(fresh.get('/api/echo')).rejects.toMatchObject({ response: { status: 401 } })
    expect(tokens(s.api)).toEqual([expect.stringMatching(/^ey/), undefined])
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
    await client.get('/api/echo') // the token is cached: the synchronous path from now on
    const id = client.interceptors.request.use(make((c) => void (c.baseURL = s.other.url)) as never)
    await expect(client.get('/api/echo')).rejects.toMatchObject({ response: { status: 401 } })
    expect(tokens(s.other)).toEqual([undefined])
    client.interceptors.request.eject(id)
    // One that leaves the URL alone changes nothing: the token goes, from the cache.
    client.interceptors.request.use(make(() => undefined) as never)
    expect((await client.get('/api/echo')).data.headers.authorization).toBe(true)
    expect(s.authority.tokenRequests()).toHaveLength(1)
  })

  it('rejects bad input at attach time', () => {
    expect(() => attachAppToken(create(), s.provider, { scopes: SCOPE })).toThrow(/origins/)
    expect(() => attachAppToken(create(), s.provider, { scopes: SCOPE })).toThrow(ConfigurationError)
    expect(() =>
      attachAppToken(create({ baseURL: s.api.url }), s.provider, { scopes: 'api://apptoken-test-api' }),
    ).toThrow(ConfigurationError)
    expect(() =>
      attachAppToken({} as AxiosInstance, s.provider, { scopes: SCOPE, origins: [s.api.url] }),
    ).toThrow(ConfigurationError)
    expect(() =>
      attachAppToken(create(), s.provider, { scopes: SCOPE, origins: ['http://example.com'] }),
    ).toThrow(ConfigurationError)
  })
})
