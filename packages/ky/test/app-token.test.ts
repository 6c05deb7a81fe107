// ky-specific behaviour; what every adapter promises runs in conformance.test.ts.
import { ConfigurationError, clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import { startTestApis, TEST_API_AUDIENCE, useTestApis, type TestAuthority } from '@apptoken/testing'
import ky1 from 'ky1'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { appToken } from '../src/index.js'
import { oneLiner, variants, type Variant } from './clients.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`

/** A provider for the local authority; `onTokenRequest` runs as each token request is made (the credential reads its secret). */
const providerFor = (authority: TestAuthority, onTokenRequest = () => {}): TokenProvider =>
  createTokenProvider({
    ...authority.providerOptions,
    credential: clientSecret(() => (onTokenRequest(), authority.clientSecret)),
    retry: false,
  })

// One variant per major.
const majors = variants.filter((v) => v.option !== 'prefix')

describe.each(majors)('appToken with $name', (variant: Variant) => {
  const s = useTestApis({ beforeAll, afterAll, beforeEach, afterEach }, { createProvider: providerFor })
  const create = (kyOptions?: object, p: TokenProvider = s.provider) =>
    oneLiner(variant, s.api.url, p, { scopes: SCOPE }, 'base URL first', kyOptions)

  const tokens = () => s.api.requests.map((r) => r.token)
  const statuses = () => s.api.requests.map((r) => r.status)

  it("keeps the one-retry guard across ky's own retries (401, 503, 401 → the caller gets the 401)", async () => {
    s.api.rejectAlways(true)
    let calls = 0
    // The second attempt (apptoken's 401 retry) is answered 503 without reaching the API; ky retries it itself.
    const flaky: typeof fetch = (input, init) =>
      ++calls === 2 ? Promise.resolve(new Response(null, { status: 503 })) : fetch(input, init)
    const client = create({ fetch: flaky, retry: { limit: 5, delay: () => 0 } })
    const error = await client('api/todolist').catch((e: unknown) => e) // an HTTPError: ky retries only those
    expect((error as { response: Response }).response.status).toBe(401)
    expect(calls).toBe(3)
    expect(statuses()).toEqual([401, 401])
    expect(new Set(tokens()).size).toBe(2) // the second 401 was for the refreshed token
  })

  it('with retry: 0 hands the caller the 401, and still refreshes the token for later requests', async () => {
    const client = create({ retry: 0, throwHttpErrors: false })
    await client('api/todolist')
    s.api.revoke(tokens()[0]!)
    expect((await client('api/todolist')).status).toBe(401)
    expect(s.authority.tokenRequests()).toHaveLength(2)
    expect((await client('api/todolist')).status).toBe(200)
    expect(statuses()).toEqual([200, 401, 200])
    expect(s.authority.tokenRequests()).toHaveLength(2)
  })

  it('rejects with an AbortError when the caller aborts while the token is refreshed after a 401', async () => {
    const refreshing = Promise.withResolvers<void>()
    let requests = 0
    const slow = providerFor(s.authority, () => void (++requests === 2 && refreshing.resolve()))
    const client = create({}, slow)
    await client('api/todolist')
    s.api.revoke(tokens()[0]!)
    s.authority.failNext({ delayMs: 5000 })
    const controller = new AbortController()
    const call = client('api/todolist', { signal: controller.signal }).catch((e: unknown) => e)
    await refreshing.promise
    controller.abort()
    expect(await call).toMatchObject({ name: 'AbortError' })
    expect(statuses()).toEqual([200, 401]) // no retry was sent
    await slow.close()
  })

  it('keeps the retry state per call when the instance has a shared context', async () => {
    const client = create({ context: { tenant: 'contoso' } })
    s.api.rejectNext()
    for (let i = 0; i < 3; i++) expect((await client('api/todolist')).status).toBe(200)
    expect(statuses()).toEqual([401, 200, 200, 200])
    expect(tokens().every((t) => t !== undefined)).toBe(true)
  })

  it('sends the token to the given origins when ky has no base URL', async () => {
    const hooks = appToken(s.provider, {
      scopes: SCOPE,
      origins: [s.api.origin],
      ...(variant.ky && { ky: variant.ky }),
    })
    const client = variant.create({}).extend(hooks)
    expect((await client(new URL(`${s.api.url}/api/todolist`))).status).toBe(200)
    expect(tokens()[0]).toMatch(/^ey/)
  })

  it('rejects bad input at appToken() time', () => {
    expect(() => appToken(s.provider, { scopes: SCOPE, origins: ['http://example.com'] })).toThrow(
      /plain http/,
    )
    expect(() => appToken(s.provider, { scopes: 'api://apptoken-test-api' })).toThrow(ConfigurationError)
    expect(() => appToken({} as TokenProvider, { scopes: SCOPE })).toThrow(ConfigurationError)
    expect(() => appToken(s.provider, undefined as never)).toThrow(/scopes/)
    expect(() => appToken(s.provider, { scopes: SCOPE })).not.toThrow() // the base URL comes with each request
  })
})

describe('appToken with ky 1 and no ky option', () => {
  it('fails the first request loudly when the resolvable ky is another major', async () => {
    const { authority, api, close } = await startTestApis()
    const provider = providerFor(authority)
    try {
      const client = ky1
        .create({ prefixUrl: api.url, retry: 0 })
        .extend(appToken(provider, { scopes: SCOPE }))
      await expect(client.get('api/todolist')).rejects.toThrow(ConfigurationError)
      expect(api.requests).toHaveLength(0)
    } finally {
      await provider.close()
      await close()
    }
  })
})
