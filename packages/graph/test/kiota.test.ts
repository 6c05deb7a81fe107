import { AzureCloud, type TokenProvider } from '@apptoken/core'
import {
  startGraphApi,
  startProtectedApi,
  startTestAuthority,
  type GraphApi,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import {
  HttpMethod,
  NativeResponseHandler,
  RequestInformation,
  ResponseHandlerOption,
} from '@microsoft/kiota-abstractions'
import {
  FetchRequestAdapter,
  KiotaClientFactory,
  MiddlewareFactory,
} from '@microsoft/kiota-http-fetchlibrary'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  AppTokenAccessTokenProvider,
  appTokenRetryMiddleware,
  createAppTokenAuthenticationProvider,
} from '../src/kiota.js'
import { providerFor } from './fixture.js'

let authority: TestAuthority
let graph: GraphApi
let other: ProtectedApi
let provider: TokenProvider

beforeAll(async () => {
  authority = await startTestAuthority()
  graph = await startGraphApi({ authority, users: 5 })
  other = await startProtectedApi({ authority })
})
afterAll(() => Promise.all([graph.close(), other.close(), authority.close()]))
beforeEach(() => {
  authority.reset()
  graph.reset()
  other.reset()
  provider = providerFor(authority)
})
afterEach(() => provider.close())

function adapter(): FetchRequestAdapter {
  // The Graph stand-in runs on 127.0.0.1 over http: allow its origin as the adapter's base URL.
  const options = { baseUrl: graph.url }
  const http = KiotaClientFactory.create(undefined, [
    appTokenRetryMiddleware(provider, options),
    ...MiddlewareFactory.getDefaultMiddlewares(),
  ])
  const requestAdapter = new FetchRequestAdapter(
    createAppTokenAuthenticationProvider(provider, options),
    undefined,
    undefined,
    http,
  )
  requestAdapter.baseUrl = graph.url
  return requestAdapter
}

async function getJson(requestAdapter: FetchRequestAdapter, path: string): Promise<{ value: unknown[] }> {
  const request = new RequestInformation(HttpMethod.GET, `{+baseurl}${path}`)
  const body = await requestAdapter.sendPrimitive<ArrayBuffer>(request, 'ArrayBuffer', undefined)
  return JSON.parse(Buffer.from(body!).toString('utf8')) as { value: unknown[] }
}

describe('Kiota: FetchRequestAdapter with the app token provider and retry middleware', () => {
  it('gets users with an app token', async () => {
    await expect(getJson(adapter(), '/v1.0/users')).resolves.toMatchObject({ value: graph.users })
    expect(graph.requests[0]!.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    expect(authority.tokenRequests({ scope: 'https://graph.microsoft.com/.default' })).toHaveLength(1)
  })

  it('adds the admin-consent hint to a 403 Authorization_RequestDenied body, without retrying', async () => {
    authority.registerClient({
      clientId: '5b1f9c2e-0000-4000-8000-000000000403',
      secret: 'no-roles-secret',
      roles: {},
    })
    await provider.close()
    provider = providerFor(authority, '5b1f9c2e-0000-4000-8000-000000000403', 'no-roles-secret')
    const request = new RequestInformation(HttpMethod.GET, '{+baseurl}/v1.0/users')
    const option = new ResponseHandlerOption()
    const handler = (option.responseHandler = new NativeResponseHandler())
    request.addRequestOptions([option])
    await adapter().sendPrimitive(request, 'ArrayBuffer', undefined)
    const response = handler.value as Response
    expect(response.status).toBe(403)
    const { error } = (await response.json()) as { error: { code: string; message: string; hint: string } }
    expect(error.code).toBe('Authorization_RequestDenied')
    expect(error.message).toMatch(
      /^Insufficient privileges to complete the operation\. Hint: .*grant admin consent/,
    )
    expect(error.hint).toMatch(/Application permission/)
    expect(graph.requests).toHaveLength(1)
  })
})

describe('AppTokenAccessTokenProvider', () => {
  it('allows the Graph hosts of the cloud and refuses other hosts', () => {
    const validator = new AppTokenAccessTokenProvider(provider).getAllowedHostsValidator()
    expect(validator.isUrlHostValid('https://graph.microsoft.com/v1.0/users')).toBe(true)
    expect(validator.isUrlHostValid('https://evil.example.com/v1.0/users')).toBe(false)
    expect(validator.getAllowedHosts()).toEqual(['graph.microsoft.com'])
    const usGov = new AppTokenAccessTokenProvider(provider, {
      cloud: AzureCloud.USGovernment,
      customHosts: ['graph-proxy.contoso.com'],
    })
    expect(usGov.getAllowedHostsValidator().getAllowedHosts()).toEqual([
      'graph.microsoft.us',
      'dod-graph.microsoft.us',
      'graph-proxy.contoso.com',
    ])
  })

  it('gives no token for a host, or a port, that is not allowed', async () => {
    const tokens = new AppTokenAccessTokenProvider(provider, { baseUrl: graph.url })
    await expect(tokens.getAuthorizationToken('https://evil.example.com/v1.0/users')).resolves.toBe('')
    await expect(tokens.getAuthorizationToken(`${other.url}/api/echo`)).resolves.toBe('')
    expect(authority.tokenRequests()).toHaveLength(0)
    await expect(tokens.getAuthorizationToken(`${graph.url}/v1.0/users`)).resolves.toMatch(
      /^[\w-]+\.[\w-]+\.[\w-]+$/,
    )
  })
})
