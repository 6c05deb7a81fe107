import { isTokenRequestError, type TokenProvider } from '@apptoken/core'
import {
  startGraphApi,
  startProtectedApi,
  startTestAuthority,
  type GraphApi,
  type GraphUser,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import {
  AuthenticationHandlerOptions,
  GraphClientError,
  GraphError,
  PageIterator,
  type PageCollection,
} from '@microsoft/microsoft-graph-client'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createGraphClient } from '../src/index.js'
import { providerFor, startTestTls, type TestTls } from './fixture.js'

let tls: TestTls
let authority: TestAuthority
let graph: GraphApi
let other: ProtectedApi
let provider: TokenProvider

beforeAll(async () => {
  tls = await startTestTls()
  authority = await startTestAuthority()
  graph = await startGraphApi({ authority, users: 25, pageSize: 10, https: tls.https })
  other = await startProtectedApi({ authority, https: tls.https })
})
afterAll(async () => {
  await Promise.all([graph.close(), other.close(), authority.close()])
  await tls.close()
})
beforeEach(() => {
  authority.reset()
  graph.reset()
  graph.setNextLinkOrigin(undefined)
  other.reset()
  provider = providerFor(authority)
})
afterEach(() => provider.close())

const client = (extra = {}) =>
  createGraphClient(provider, { baseUrl: graph.url, fetchOptions: tls.fetchOptions, ...extra })
const rejection = (promise: Promise<unknown>): Promise<GraphError> =>
  promise.then(
    () => expect.fail('expected a GraphError'),
    (error: unknown) => error as GraphError,
  )

// What every adapter promises is in conformance.test.ts; these are the v3 SDK's own shapes (paging,
// nextLinks, hints, per-request scopes, GraphClientError) and what the suite cannot express there.
describe('createGraphClient', () => {
  it('gets users with one bearer token, set once even over a header the caller gave', async () => {
    const page = (await client()
      .api('/users')
      .header('Authorization', 'Bearer stale')
      .get()) as PageCollection
    expect(page.value).toHaveLength(10)
    expect(graph.requests).toHaveLength(1)
    expect(graph.requests[0]!.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    expect(authority.tokenRequests({ scope: 'https://graph.microsoft.com/.default' })).toHaveLength(1)
  })

  it('pages through 3 pages with the SDK PageIterator on one token request', async () => {
    const graphClient = client()
    const seen: GraphUser[] = []
    const first = (await graphClient.api('/users').get()) as PageCollection
    await new PageIterator(graphClient, first, (user: GraphUser) => seen.push(user) > 0).iterate()
    expect(seen.map((u) => u.displayName)).toEqual(graph.users.map((u) => u.displayName))
    expect(graph.requests.map((r) => r.status)).toEqual([200, 200, 200])
    expect(new Set(graph.requests.map((r) => r.token)).size).toBe(1)
    expect(authority.tokenRequests()).toHaveLength(1)
  })

  it('adds the admin-consent hint to a 403 Authorization_RequestDenied, without retrying', async () => {
    authority.registerClient({
      clientId: '5b1f9c2e-0000-4000-8000-000000000403',
      secret: 'no-roles-secret',
      roles: {},
    })
    await provider.close()
    provider = providerFor(authority, '5b1f9c2e-0000-4000-8000-000000000403', 'no-roles-secret')
    const error = await rejection(client().api('/users').get())
    expect(error.statusCode).toBe(403)
    expect(error.code).toBe('Authorization_RequestDenied')
    expect(error.message).toMatch(
      /^Insufficient privileges to complete the operation\. Hint: .*grant admin consent/,
    )
    expect((JSON.parse(error.body as string) as { hint: string }).hint).toMatch(/Application permission/)
    expect(graph.requests).toHaveLength(1)
    expect(authority.tokenRequests()).toHaveLength(1)
  })

  it('never sends the token to an @odata.nextLink on another origin', async () => {
    graph.setNextLinkOrigin(other.origin)
    const graphClient = client()
    const first = (await graphClient.api('/users').get()) as PageCollection
    const iterated = new PageIterator(graphClient, first, () => true).iterate()
    await expect(iterated).rejects.toBeInstanceOf(GraphError)
    expect(other.requests).toHaveLength(1)
    expect(other.requests[0]!.path).toMatch(/^\/v1\.0\/users\?/)
    expect(other.requests[0]!.headers.authorization).toBeUndefined()
    expect(graph.requests[0]!.token).toBeDefined()
  })

  it('sends no token to a host that is neither Graph, a custom host nor the base URL', async () => {
    await expect(
      client().api(`${other.url}/public/ping`).header('Authorization', 'Bearer mine').get(),
    ).resolves.toEqual({ status: 'ok' })
    expect(other.requests[0]!.headers.authorization).toBeUndefined()
    expect(authority.tokenRequests()).toHaveLength(0)
  })

  it('honours per-request AuthenticationHandlerOptions scopes and replays a POST body on retry', async () => {
    const api = `${other.url}/api/echo`
    const scopes = ['api://apptoken-test-api/.default']
    other.rejectNext()
    const echoed = (await client({ customHosts: [new URL(other.url).host] })
      .api(api)
      .middlewareOptions([new AuthenticationHandlerOptions(undefined, { scopes })])
      .post({ hello: 'graph' })) as { body: unknown }
    expect(echoed.body).toBe('{"hello":"graph"}')
    expect(other.requests.map((r) => [r.status, r.body])).toEqual([
      [401, '{"hello":"graph"}'],
      [200, '{"hello":"graph"}'],
    ])
    expect(authority.tokenRequests().map((r) => r.scope)).toEqual([scopes[0], scopes[0]])
  })

  it('replaces the SDK tail with the middleware given, keeping the app token first', async () => {
    let seen: Headers | undefined
    const graphClient = client({
      middleware: [
        {
          execute: async (context: { options?: RequestInit; response?: Response }) => {
            seen = new Headers(context.options?.headers)
            context.response = Response.json({ value: [] })
          },
        },
      ],
    })
    await expect(graphClient.api('/users').get()).resolves.toEqual({ value: [] })
    expect(seen?.get('authorization')).toMatch(/^Bearer /)
    expect(graph.requests).toHaveLength(0)
  })

  it('forces no refresh for a 401 whose answer cannot tell who sent it (a Response with no URL)', async () => {
    let sends = 0
    const made = {
      execute: async (context: { response?: Response }) =>
        void (sends++, (context.response = new Response(null, { status: 401 }))),
    }
    const error = await rejection(
      client({ middleware: [made] })
        .api('/users')
        .get(),
    )
    expect(error.statusCode).toBe(401)
    expect(sends).toBe(1)
    expect(authority.tokenRequests()).toHaveLength(1)
  })

  it("surfaces a token failure as a GraphClientError with core's code, message and hint", async () => {
    await provider.close()
    provider = providerFor(authority, authority.clientId, 'not-the-secret')
    const error = (await client()
      .api('/users')
      .get()
      .catch((e: unknown) => e)) as GraphClientError & { code: string }
    expect(error).toBeInstanceOf(GraphClientError)
    expect(error.code).toBe('ERR_TOKEN_REQUEST')
    expect(error.message).toMatch(/AADSTS7000215[\s\S]*Hint: Wrong client secret/)
    expect(isTokenRequestError(error.cause)).toBe(true)
    expect(graph.requests).toHaveLength(0)
  })

  it('rejects options that would leak the token or cannot work, when the client is created', () => {
    const attempts = [
      () => createGraphClient(provider, { customHosts: ['https://graph-proxy.contoso.com'] }),
      () => createGraphClient(provider, { baseUrl: 'http://graph-proxy.contoso.com' }),
      () => createGraphClient(provider, { scopes: 'User.Read' }),
      () => createGraphClient({} as TokenProvider),
      () => createGraphClient(provider, { middleware: [] }),
    ]
    for (const attempt of attempts)
      expect(attempt).toThrow(expect.objectContaining({ code: 'ERR_CONFIGURATION' }))
    expect(attempts[0]).toThrow(/Invalid option "customHosts"/)
    expect(attempts[1]).toThrow(/Invalid option "baseUrl"/)
  })
})
