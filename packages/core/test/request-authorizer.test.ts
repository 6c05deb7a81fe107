import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { createRequestAuthorizer, isReplayableBody } from '../src/adapter.js'
import type { TokenProvider } from '../src/index.js'
import { API, authority, fakeClock, providerFor } from './support.js'

let a: TestAuthority
let provider: TokenProvider
beforeAll(async () => (a = await authority()))
afterEach(async () => {
  await provider.close()
  a.reset()
})
afterAll(() => a.close())
const make = (options: { origins?: string[] } = {}, baseUrl?: string) => {
  provider = providerFor(a)
  return createRequestAuthorizer(provider, { scopes: API, ...options }, { baseUrl, adapter: 'test client' })
}

describe('origins', () => {
  it('sends the token only to the base URL origin by default', async () => {
    const auth = make({}, 'https://api.contoso.com/v1/')
    expect(auth.isAllowed('https://api.contoso.com/v1/items')).toBe(true)
    expect(auth.isAllowed('https://api.contoso.com:8443/v1/items')).toBe(false)
    expect(auth.isAllowed('http://api.contoso.com/v1/items')).toBe(false)
    expect(auth.isAllowed('https://evil.example/v1/items')).toBe(false)
    expect(await auth.authorize('https://evil.example/')).toBeUndefined()
    expect(a.tokenRequests()).toHaveLength(0)
  })

  it('is not fooled by look-alike URLs that share the origin as a prefix', () => {
    const auth = make({}, 'https://api.contoso.com')
    for (const url of [
      'https://api.contoso.com',
      'https://api.contoso.com?x=1',
      'https://api.contoso.com#f',
      'HTTPS://API.CONTOSO.COM/x',
      'https://api.contoso.com:443/x',
      // WHATWG URLs read '\\' as '/': this one really goes to api.contoso.com.
      'https://api.contoso.com\\@evil.example/',
    ]) {
      expect(auth.isAllowed(url)).toBe(true)
    }
    for (const url of [
      'https://api.contoso.com.evil.example/',
      'https://api.contoso.com@evil.example/',
      'https://api.contoso.com:8443/',
      'https://api.contoso.community/',
    ]) {
      expect(auth.isAllowed(url)).toBe(false)
    }
  })

  it('throws at attach time without a base URL or origins', () => {
    expect(() => make()).toThrow(/origins/)
  })

  it('refuses plain http origins except loopback', () => {
    expect(() => make({ origins: ['http://api.contoso.com'] })).toThrow(/plain http/)
    expect(make({ origins: ['http://127.0.0.1:3000'] }).isAllowed('http://127.0.0.1:3000/x')).toBe(true)
  })

  it('checks the scope at attach time', () => {
    provider = providerFor(a)
    expect(() =>
      createRequestAuthorizer(
        provider,
        { scopes: 'api://apptoken-test-api' },
        { baseUrl: 'https://x.test', adapter: 'x' },
      ),
    ).toThrow(/use "api:\/\/apptoken-test-api\/.default"/)
  })
})

describe('401 handling', () => {
  const url = 'https://api.contoso.com/items'

  it('forces one refresh for many concurrent 401s carrying the same token', async () => {
    const auth = make({ origins: ['https://api.contoso.com'] })
    const first = await auth.authorize(url)
    const retries = await Promise.all(
      Array.from({ length: 50 }, () =>
        auth.onUnauthorized({
          url,
          wwwAuthenticate: 'Bearer error="invalid_token"',
          token: first!.token,
          retried: false,
        }),
      ),
    )
    expect(new Set(retries.map((r) => r!.token)).size).toBe(1)
    expect(retries[0]!.token).not.toBe(first!.token)
    expect(retries[0]!.header).toBe(`Bearer ${retries[0]!.token}`)
    expect(a.tokenRequests()).toHaveLength(2)
    // A late 401 for the old token uses the new one without another request.
    await auth.onUnauthorized({ url, wwwAuthenticate: null, token: first!.token, retried: false })
    expect(a.tokenRequests()).toHaveLength(2)
  })

  it('never retries twice, other origins, or non-Bearer challenges', async () => {
    const auth = make({ origins: ['https://api.contoso.com'] })
    expect(
      await auth.onUnauthorized({ url, wwwAuthenticate: null, token: 'x', retried: true }),
    ).toBeUndefined()
    expect(
      await auth.onUnauthorized({
        url: 'https://other.test/',
        wwwAuthenticate: null,
        token: 'x',
        retried: false,
      }),
    ).toBeUndefined()
    expect(
      await auth.onUnauthorized({ url, wwwAuthenticate: 'Basic realm="x"', token: 'x', retried: false }),
    ).toBeUndefined()
    expect(a.tokenRequests()).toHaveLength(0)
  })

  it('answers a claims challenge with a token requested with those claims', async () => {
    const auth = make({ origins: ['https://api.contoso.com'] })
    const claims = '{"access_token":{"nbf":{"essential":true,"value":"1"}}}'
    const header = `Bearer error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"`
    const retry = await auth.onUnauthorized({
      url,
      wwwAuthenticate: [header],
      token: undefined,
      retried: false,
    })
    expect(retry?.token).toBeTruthy()
    expect(a.tokenRequests()[0]!.claims).toBe(claims)
  })
})

describe('isReplayableBody', () => {
  it('tells replayable bodies from streams', async () => {
    const { Readable } = await import('node:stream')
    for (const body of [
      undefined,
      null,
      'x',
      Buffer.from('x'),
      new Uint8Array(1),
      new URLSearchParams('a=1'),
      new Blob(['x']),
      new FormData(),
      { a: 1 },
    ]) {
      expect(isReplayableBody(body)).toBe(true)
    }
    for (const body of [Readable.from(['x']), new ReadableStream(), (async function* () {})()]) {
      expect(isReplayableBody(body)).toBe(false)
    }
  })
})

describe('authorizeNow (the synchronous read for hooks that cannot wait)', () => {
  const url = 'https://api.contoso.com/items'

  it('gives the same Authorization as authorize once a fresh token is cached, and nothing before', async () => {
    const { clock, advance } = fakeClock()
    provider = providerFor(a, { clock })
    const auth = createRequestAuthorizer(
      provider,
      { scopes: API, origins: ['https://api.contoso.com'] },
      { adapter: 'x' },
    )
    expect(auth.authorizeNow(url)).toBeUndefined() // nothing cached: the caller goes to authorize
    const waited = await auth.authorize(url)
    expect(auth.authorizeNow(url)).toEqual(waited)
    expect(auth.authorizeNow('https://evil.example/items')).toBeUndefined()
    expect(auth.authorizeNow('http://api.contoso.com/items')).toBeUndefined()
    // Past its refresh point the token is not handed out synchronously: authorize refreshes it.
    advance(3_600_000)
    expect(auth.authorizeNow(url)).toBeUndefined()
    expect(a.tokenRequests()).toHaveLength(1)
  })

  it("is undefined for a provider of the user's own, which has only getToken", async () => {
    provider = providerFor(a)
    const own = {
      mode: provider.mode,
      getToken: provider.getToken.bind(provider),
    } as unknown as TokenProvider
    const auth = createRequestAuthorizer(
      own,
      { scopes: API, origins: ['https://api.contoso.com'] },
      { adapter: 'x' },
    )
    await auth.authorize(url)
    expect(auth.authorizeNow(url)).toBeUndefined()
    expect((await auth.authorize(url))?.header).toMatch(/^Bearer /)
  })
})

describe('authorizeNow', () => {
  it('never throws: without a base URL to decide by it answers undefined, and authorize reports the error', async () => {
    provider = providerFor(a)
    const auth = createRequestAuthorizer(
      provider,
      { scopes: API },
      { adapter: 'test client', baseUrlPerRequest: true },
    )
    await provider.getToken(API) // a cached token, so only the missing base URL is in the way
    expect(auth.authorizeNow('https://api.contoso.com/x')).toBeUndefined()
    await expect(auth.authorize('https://api.contoso.com/x')).rejects.toMatchObject({ code: 'ERR_CONFIGURATION', option: 'origins' })
  })
})
