import type { TokenProvider } from '@apptoken/core'
import {
  startProtectedApi,
  startTestAuthority,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import { HttpMethod, RequestInformation } from '@microsoft/kiota-abstractions'
import {
  FetchRequestAdapter,
  KiotaClientFactory,
  MiddlewareFactory,
} from '@microsoft/kiota-http-fetchlibrary'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createGraphClient } from '../src/index.js'
import { appTokenRetryMiddleware, createAppTokenAuthenticationProvider } from '../src/kiota.js'
import { providerFor, startTestTls, type TestTls } from './fixture.js'

// An allowed host (the "redirector", https) answers 302 with a Location that has no "://". The
// SDKs' redirect handlers may take such a Location for a relative one and keep Authorization,
// while fetch resolves it to another host ("EVIL", local APIs that record every Authorization).

let tls: TestTls
let authority: TestAuthority
let redirector: ProtectedApi
let evilHttp: ProtectedApi
let evilHttps: ProtectedApi
let provider: TokenProvider

beforeAll(async () => {
  tls = await startTestTls()
  authority = await startTestAuthority()
  redirector = await startProtectedApi({ authority, https: tls.https })
  evilHttp = await startProtectedApi({ authority })
  evilHttps = await startProtectedApi({ authority, https: tls.https })
})
afterAll(async () => {
  await Promise.all([redirector.close(), evilHttp.close(), evilHttps.close(), authority.close()])
  await tls.close()
})
beforeEach(() => {
  for (const server of [redirector, evilHttp, evilHttps]) server.reset()
  authority.reset()
  provider = providerFor(authority)
})
afterEach(() => provider.close())

const host = (server: ProtectedApi) => new URL(server.url).host
/** Each Location spelling, and the EVIL server fetch really sends it to. */
const spellings: [string, () => string, () => ProtectedApi][] = [
  ['http:host/path', () => `http:${host(evilHttp)}`, () => evilHttp],
  ['http:/host/path', () => `http:/${host(evilHttp)}`, () => evilHttp],
  ['http:\\\\host/path', () => `http:\\\\${host(evilHttp)}`, () => evilHttp],
  ['https:host/path', () => `https:${host(evilHttps)}`, () => evilHttps],
]
const redirect = (location: string) => `${redirector.url}/api/redirect?to=${encodeURIComponent(location)}`
const evilAuthorizations = () =>
  [...evilHttp.requests, ...evilHttps.requests].map((r) => r.headers.authorization)

describe('createGraphClient (Graph SDK v3) across a redirect whose Location has no "://"', () => {
  const client = () =>
    createGraphClient(provider, {
      baseUrl: redirector.url,
      customHosts: [host(redirector)],
      fetchOptions: tls.fetchOptions,
    })

  it.each(spellings)('%s: EVIL gets no token', async (_spelling, prefix, evil) => {
    await expect(
      client()
        .api(redirect(`${prefix()}/public/ping`))
        .get(),
    ).resolves.toEqual({ status: 'ok' })
    expect(redirector.requests[0]!.token).toBeDefined()
    expect(evil().requests).toHaveLength(1)
    expect(evilAuthorizations()).toEqual([undefined])
  })

  it.each(spellings)('%s: EVIL’s 401 forces no refresh and no replay', async (_spelling, prefix, evil) => {
    const error = await client()
      .api(redirect(`${prefix()}/api/echo`))
      .get()
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ statusCode: 401 })
    expect(evil().requests.map((r) => [r.status, r.headers.authorization])).toEqual([[401, undefined]])
    expect(redirector.requests).toHaveLength(1)
    expect(authority.tokenRequests()).toHaveLength(1)
  })
})

describe('Kiota (FetchRequestAdapter) across a redirect whose Location has no "://"', () => {
  const adapter = () => {
    const options = { baseUrl: redirector.url }
    const trusted = tls.fetchOptions as { dispatcher: unknown }
    const customFetch = (url: string, init: RequestInit) =>
      fetch(url, { ...init, dispatcher: trusted.dispatcher } as RequestInit)
    const http = KiotaClientFactory.create(customFetch, [
      appTokenRetryMiddleware(provider, options),
      ...MiddlewareFactory.getDefaultMiddlewares(customFetch),
    ])
    return new FetchRequestAdapter(
      createAppTokenAuthenticationProvider(provider, options),
      undefined,
      undefined,
      http,
    )
  }
  const send = (url: string) => {
    const request = new RequestInformation(HttpMethod.GET)
    request.URL = url
    return adapter()
      .sendPrimitive<ArrayBuffer>(request, 'ArrayBuffer', undefined)
      .catch((e: unknown) => e)
  }

  it.each(spellings)('%s: EVIL gets no token', async (_spelling, prefix) => {
    await send(redirect(`${prefix()}/public/ping`))
    expect(redirector.requests[0]!.token).toBeDefined()
    expect(evilAuthorizations()).toEqual(evilAuthorizations().map(() => undefined))
  })

  it('an allowed origin redirecting to EVIL answering 401 forces no refresh', async () => {
    const error = await send(redirect(`${evilHttps.url}/api/echo`))
    expect(error).toMatchObject({ responseStatusCode: 401 })
    expect(evilHttps.requests.map((r) => [r.status, r.headers.authorization])).toEqual([[401, undefined]])
    expect(redirector.requests).toHaveLength(1)
    expect(authority.tokenRequests()).toHaveLength(1)
  })
})
