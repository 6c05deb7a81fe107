import { AzureCloud, type TokenProvider } from '@apptoken/core'
import {
  startGraphApi,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type GraphApi,
  type TestAuthority,
} from '@apptoken/testing'
import { Client, GraphClientError, type PageCollection } from '@microsoft/microsoft-graph-client'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AppTokenAuthenticationProvider } from '../src/index.js'
import { providerFor, startTestTls, type TestTls } from './fixture.js'

let tls: TestTls
let authority: TestAuthority
let graph: GraphApi
let provider: TokenProvider

beforeAll(async () => {
  tls = await startTestTls()
  authority = await startTestAuthority()
  graph = await startGraphApi({ authority, https: tls.https })
})
afterAll(async () => {
  await Promise.all([graph.close(), authority.close()])
  await tls.close()
})
beforeEach(() => {
  authority.reset()
  graph.reset()
  provider = providerFor(authority)
})
afterEach(() => provider.close())

describe('AppTokenAuthenticationProvider', () => {
  it('defaults to the Graph scope of the chosen cloud', () => {
    expect(new AppTokenAuthenticationProvider(provider).scopes).toBe('https://graph.microsoft.com/.default')
    expect(new AppTokenAuthenticationProvider(provider, { cloud: AzureCloud.USGovernment }).scopes).toBe(
      'https://graph.microsoft.us/.default',
    )
    expect(new AppTokenAuthenticationProvider(provider, { cloud: AzureCloud.China }).scopes).toBe(
      'https://microsoftgraph.chinacloudapi.cn/.default',
    )
  })

  it("authenticates the SDK's own default middleware chain", async () => {
    const client = Client.initWithMiddleware({
      authProvider: new AppTokenAuthenticationProvider(provider),
      baseUrl: graph.url,
      customHosts: new Set(['127.0.0.1']),
      fetchOptions: tls.fetchOptions,
    })
    const page = (await client.api('/users').get()) as PageCollection
    expect(page.value).toHaveLength(10)
    expect(graph.requests[0]!.token).toBeDefined()
    expect(authority.tokenRequests({ scope: 'https://graph.microsoft.com/.default' })).toHaveLength(1)
  })

  it('honours per-request scopes', async () => {
    const auth = new AppTokenAuthenticationProvider(provider)
    const apiToken = await auth.getAccessToken({ scopes: [`${TEST_API_AUDIENCE}/.default`] })
    const graphToken = await auth.getAccessToken()
    expect(apiToken).not.toBe(graphToken)
    expect(authority.tokenRequests().map((r) => r.scope)).toEqual([
      `${TEST_API_AUDIENCE}/.default`,
      'https://graph.microsoft.com/.default',
    ])
  })

  it('fails as a GraphClientError carrying the TokenRequestError, through the SDK chain', async () => {
    await provider.close()
    provider = providerFor(authority, authority.clientId, 'not-the-secret')
    const client = Client.initWithMiddleware({
      authProvider: new AppTokenAuthenticationProvider(provider),
      baseUrl: graph.url,
      customHosts: new Set(['127.0.0.1']),
      fetchOptions: tls.fetchOptions,
    })
    const error = (await client
      .api('/users')
      .get()
      .catch((e: unknown) => e)) as GraphClientError & { code: string }
    expect(error).toBeInstanceOf(GraphClientError)
    expect(error.code).toBe('ERR_TOKEN_REQUEST')
    expect(error.message).toMatch(/Hint: Wrong client secret/)
    expect(graph.requests).toHaveLength(0)
  })

  it('refuses a delegated scope when it is created', () => {
    expect(() => new AppTokenAuthenticationProvider(provider, { scopes: 'User.Read' })).toThrow(/\/\.default/)
    expect(() => new AppTokenAuthenticationProvider(provider, { scopes: 'User.Read' })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIGURATION' }),
    )
  })
})
