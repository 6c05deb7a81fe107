import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import {
  startProtectedApi,
  startTestAuthority,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import ky, { isHTTPError } from 'ky'
import ky1, { HTTPError as HTTPError1 } from 'ky1'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { appToken, type KyAppTokenOptions } from '../src/index.js'
import { CLAIMS, SCOPE, providerFor, signal } from './support.js'

/** The calls the tests make, the same for both majors. */
interface Client {
  get(path: string | URL, options?: { signal?: AbortSignal }): Promise<Response>
  post(
    path: string,
    options: { json?: unknown; body?: BodyInit; headers?: Record<string, string> },
  ): Promise<Response>
}

/** ky options the tests vary, valid for both majors. */
interface KyOptions {
  fetch?: typeof fetch
  retry?: { limit: number; delay: () => number }
  context?: Record<string, unknown>
}

interface Version {
  name: string
  /** A client whose base URL is `url`, with the hooks of `options`. */
  create(
    url: string,
    provider: TokenProvider,
    options?: Partial<KyAppTokenOptions>,
    kyOptions?: KyOptions,
  ): Client
}

const versions: Version[] = [
  {
    name: 'ky 2',
    create: (url, provider, options, kyOptions) =>
      ky
        .create({ ...kyOptions, baseUrl: url })
        .extend(appToken(provider, { scopes: SCOPE, baseUrl: url, ...options })),
  },
  {
    name: 'ky 1',
    // ky 1 is installed as `ky1` here, so apptoken is told which ky to use for ky.retry.
    create: (url, provider, options, kyOptions) =>
      ky1.create({
        ...kyOptions,
        prefixUrl: url,
        ...appToken(provider, { scopes: SCOPE, prefixUrl: url, ky: ky1, ...options }),
      }),
  },
]

const statusOf = (error: unknown): number | undefined =>
  isHTTPError(error) || error instanceof HTTPError1 ? error.response.status : undefined

describe.each(versions)('appToken with $name', ({ create }) => {
  let authority: TestAuthority
  let api: ProtectedApi
  let other: ProtectedApi
  let provider: TokenProvider
  let client: Client

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
    client = create(api.url, provider)
  })
  afterEach(async () => {
    await provider.close()
    api.reset()
    other.reset()
    authority.reset()
  })

  const tokens = (server: ProtectedApi) => server.requests.map((r) => r.token)
  const statuses = (server: ProtectedApi) => server.requests.map((r) => r.status)
  const failure = (call: Promise<unknown>) =>
    call.then(
      () => undefined,
      (e: unknown) => e,
    )

  it('makes one token request for the first call and none for the next 100', async () => {
    expect((await client.get('api/todolist')).status).toBe(200)
    expect(authority.tokenRequests()).toHaveLength(1)
    for (let i = 0; i < 100; i++) await client.get('api/todolist')
    expect(authority.tokenRequests()).toHaveLength(1)
    expect(new Set(tokens(api)).size).toBe(1)
    expect(tokens(api)[0]).toMatch(/^ey/)
  })

  it('refreshes once and retries once when the API revokes the token; the caller sees 200', async () => {
    await client.get('api/todolist')
    const [first] = tokens(api)
    api.revoke(first!)
    expect((await client.get('api/todolist')).status).toBe(200)
    expect(authority.tokenRequests()).toHaveLength(2)
    const [, rejected, retried] = api.requests
    expect([rejected?.token, rejected?.status]).toEqual([first, 401])
    expect(retried?.status).toBe(200)
    expect(retried?.token).not.toBe(first)
  })

  it('answers 50 concurrent 401s with one token request, 50 retries and 50 successes', async () => {
    await client.get('api/todolist')
    const [first] = tokens(api)
    api.revoke(first!)
    api.reset()
    const responses = await Promise.all(Array.from({ length: 50 }, () => client.get('api/todolist')))
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
    expect(statusOf(await failure(client.get('api/todolist')))).toBe(401)
    expect(statuses(api)).toEqual([401, 401])
    expect(new Set(tokens(api)).size).toBe(2)
  })

  it("keeps the one-retry guard across ky's own retries (401, 503, 401 → the caller gets the 401)", async () => {
    api.rejectAlways(true)
    let calls = 0
    // The second attempt (apptoken's 401 retry) is answered 503 without reaching the API; ky retries it itself.
    const flaky: typeof fetch = (input, init) =>
      ++calls === 2 ? Promise.resolve(new Response(null, { status: 503 })) : fetch(input, init)
    const retrying = create(api.url, provider, {}, { fetch: flaky, retry: { limit: 5, delay: () => 0 } })
    expect(statusOf(await failure(retrying.get('api/todolist')))).toBe(401)
    expect(calls).toBe(3)
    expect(statuses(api)).toEqual([401, 401])
    expect(new Set(tokens(api)).size).toBe(2) // the second 401 was for the refreshed token
  })

  it('answers a claims challenge with one token request carrying the claims', async () => {
    await client.get('api/todolist')
    api.challengeNext(CLAIMS)
    expect((await client.get('api/todolist')).status).toBe(200)
    const requests = authority.tokenRequests()
    expect(requests).toHaveLength(2)
    expect(JSON.parse(requests[1]!.claims!)).toEqual(JSON.parse(CLAIMS))
    expect(statuses(api)).toEqual([200, 401, 200])
  })

  it('never sends the token to another origin, by absolute URL or by redirect', async () => {
    expect(statusOf(await failure(client.get(new URL(`${other.url}/api/echo`))))).toBe(401)
    expect(
      statusOf(await failure(client.get(`api/redirect?to=${encodeURIComponent(`${other.url}/api/echo`)}`))),
    ).toBe(401)
    expect(tokens(other)).toEqual([undefined, undefined])
    expect(api.requests[0]?.token).toMatch(/^ey/) // the redirecting hop itself was allowed
  })

  it('an allowed origin redirecting to another that answers 401 forces no refresh and no replay', async () => {
    const to = encodeURIComponent(`${other.url}/api/echo`)
    expect(statusOf(await failure(client.get(`api/redirect?to=${to}`)))).toBe(401)
    expect(other.requests.map((r) => [r.status, r.headers.authorization])).toEqual([[401, undefined]])
    expect(statuses(api)).toEqual([302])
    expect(authority.tokenRequests()).toHaveLength(1)
  })

  it('refuses plain http to a non-loopback origin at appToken() time', () => {
    expect(() => appToken(provider, { scopes: SCOPE, origins: ['http://example.com'] })).toThrow(
      ConfigurationError,
    )
  })

  it('re-sends a JSON body on the retry', async () => {
    api.rejectNext()
    expect((await client.post('api/todolist', { json: { title: 'replayed' } })).status).toBe(201)
    expect(statuses(api)).toEqual([401, 201])
    expect(api.requests.map((r): unknown => r.body && JSON.parse(r.body))).toEqual([
      { title: 'replayed' },
      { title: 'replayed' },
    ])
  })

  it('does not re-send a stream body; the caller gets the 401', async () => {
    api.rejectNext()
    const body = new Blob([JSON.stringify({ title: 'streamed' })]).stream()
    const error = await failure(
      client.post('api/todolist', { body, headers: { 'content-type': 'application/json' } }),
    )
    expect(statusOf(error)).toBe(401)
    expect(statuses(api)).toEqual([401])
  })

  it('cancels the wait for a token when the caller aborts', async () => {
    const inFlight = signal()
    const slow = providerFor(authority, inFlight.fire)
    const slowClient = create(api.url, slow)
    authority.failNext({ delayMs: 5000 })
    const controller = new AbortController()
    const call = failure(slowClient.get('api/todolist', { signal: controller.signal }))
    await inFlight.promise
    controller.abort()
    expect(await call).toMatchObject({ name: 'AbortError' })
    expect(authority.tokenRequests().every((r) => r.status === 0)).toBe(true) // still unanswered
    expect(api.requests).toHaveLength(0)
    await slow.close()
  })

  it('cancels the wait for a refreshed token after a 401 when the caller aborts', async () => {
    const refreshing = signal()
    let requests = 0
    const slow = providerFor(authority, () => void (++requests === 2 && refreshing.fire()))
    const slowClient = create(api.url, slow)
    await slowClient.get('api/todolist')
    api.revoke(tokens(api)[0]!)
    authority.failNext({ delayMs: 5000 })
    const controller = new AbortController()
    const call = failure(slowClient.get('api/todolist', { signal: controller.signal }))
    await refreshing.promise
    controller.abort()
    expect(await call).toMatchObject({ name: 'AbortError' })
    expect(statuses(api)).toEqual([200, 401]) // no retry was sent
    await slow.close()
  })

  it('keeps the retry state per call when the instance has a shared context', async () => {
    const withContext = create(api.url, provider, {}, { context: { tenant: 'contoso' } })
    api.rejectNext()
    for (let i = 0; i < 3; i++) expect((await withContext.get('api/todolist')).status).toBe(200)
    expect(statuses(api)).toEqual([401, 200, 200, 200])
    expect(tokens(api).every((t) => t !== undefined)).toBe(true)
  })

  it('accepts origins instead of a base URL', async () => {
    const byOrigin = create(api.url, provider, {
      origins: [api.origin],
      baseUrl: undefined,
      prefixUrl: undefined,
    })
    expect((await byOrigin.get('api/todolist')).status).toBe(200)
    expect(tokens(api)[0]).toMatch(/^ey/)
  })

  it('rejects bad input at appToken() time', () => {
    expect(() => appToken(provider, { scopes: SCOPE })).toThrow(ConfigurationError)
    expect(() => appToken(provider, { scopes: SCOPE })).toThrow(/origins/)
    expect(() => appToken(provider, { scopes: 'api://apptoken-test-api', baseUrl: api.url })).toThrow(
      ConfigurationError,
    )
  })
})

describe('appToken with ky 1 and no ky option', () => {
  it('fails the first request loudly when the resolvable ky is another major', async () => {
    const authority = await startTestAuthority()
    const api = await startProtectedApi({ authority })
    const provider = providerFor(authority)
    try {
      const client = ky1.create({
        prefixUrl: api.url,
        retry: 0,
        ...appToken(provider, { scopes: SCOPE, prefixUrl: api.url }),
      })
      await expect(client.get('api/todolist')).rejects.toThrow(ConfigurationError)
      expect(api.requests).toHaveLength(0)
    } finally {
      await provider.close()
      await api.close()
      await authority.close()
    }
  })
})
