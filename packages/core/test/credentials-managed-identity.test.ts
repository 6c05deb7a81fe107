import { createServer } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { decodeJwt } from 'jose'
import {
  MANAGED_IDENTITY_CLIENT_ID,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type TestAuthority,
} from '@apptoken/testing'
import {
  createTokenProvider,
  isApptokenError,
  isConfigurationError,
  isTokenRequestError,
  managedIdentity,
  type Clock,
  type Credential,
  type TokenProvider,
} from '../src/index.js'
import { fakeClock, recordingLogger, SECRET_LOOKING } from './credentials-support.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`

let authority: TestAuthority
const providers: TokenProvider[] = []

beforeAll(async () => {
  authority = await startTestAuthority()
})
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  authority.reset()
})
afterAll(() => authority.close())

// Every test names a loopback endpoint: nothing here may reach the real 169.254.169.254.
function provider(credential: Credential, clock?: Clock, logger = recordingLogger()): TokenProvider {
  const p = createTokenProvider({ credential, logger, ...(clock ? { clock } : {}) })
  providers.push(p)
  return p
}

const imds = (options: Parameters<typeof managedIdentity>[0] = {}) =>
  managedIdentity({ imdsEndpoint: authority.managedIdentity.imdsEndpoint, ...options })
const query = (i: number) => authority.tokenRequests()[i]!.form

describe('managedIdentity via IMDS', () => {
  it('gets a token without clientId or tenantId, for the scope resource, and caches it', async () => {
    const p = provider(imds())
    const token = await p.getToken(SCOPE)
    const again = await p.getToken(SCOPE)

    expect(again.fromCache).toBe(true)
    expect(decodeJwt(token.accessToken)).toMatchObject({
      aud: TEST_API_AUDIENCE,
      appid: MANAGED_IDENTITY_CLIENT_ID,
    })
    const [request] = authority.tokenRequests()
    expect(authority.tokenRequests()).toHaveLength(1)
    expect(request).toMatchObject({ kind: 'imds', method: 'GET', status: 200 })
    expect(request!.headers.metadata).toBe('true')
    expect(request!.form).toEqual({ 'api-version': '2018-02-01', resource: TEST_API_AUDIENCE })
    expect(token.expiresAt - Date.now()).toBeGreaterThan(86_000_000)
  })

  it('keeps the trailing slash of a v1 resource', async () => {
    await provider(imds()).getToken('https://database.windows.net//.default')
    expect(query(0).resource).toBe('https://database.windows.net/')
  })

  it('selects a user-assigned identity by client id, object id or resource id', async () => {
    await provider(imds({ clientId: '11111111-2222-3333-4444-555555555555' })).getToken(SCOPE)
    await provider(imds({ objectId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' })).getToken(SCOPE)
    await provider(
      imds({
        resourceId:
          '/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/daemon',
      }),
    ).getToken(SCOPE)
    expect(query(0).client_id).toBe('11111111-2222-3333-4444-555555555555')
    expect(query(1).object_id).toBe('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')
    expect(query(2).msi_res_id).toBe(
      '/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/daemon',
    )
    expect(() =>
      managedIdentity({ clientId: 'a', objectId: 'b', imdsEndpoint: authority.managedIdentity.imdsEndpoint }),
    ).toThrow(/one of clientId, objectId or resourceId/)
  })

  it('finds IMDS through AZURE_POD_IDENTITY_AUTHORITY_HOST or IMDS_ENDPOINT (a host, the path added)', async () => {
    await provider(
      managedIdentity({ env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: authority.authorityHost } }),
    ).getToken(SCOPE)
    await provider(managedIdentity({ env: { IMDS_ENDPOINT: `${authority.authorityHost}/` } })).getToken(SCOPE)
    expect(authority.tokenRequests().map((r) => [r.kind, r.status])).toEqual([
      ['imds', 200],
      ['imds', 200],
    ])
  })

  it('retries a 503 with backoff on the provided clock, then succeeds', async () => {
    const clock = fakeClock()
    const logger = recordingLogger()
    authority.failNext({ kind: 'imds', status: 503 })
    const p = provider(imds(), clock, logger)
    const token = await p.getToken(SCOPE)

    expect(token.accessToken).toBeTruthy()
    expect(authority.tokenRequests().map((r) => r.status)).toEqual([503, 200])
    expect(p.stats()).toMatchObject({ tokenRequests: 1, retries: 1 })
    expect(clock.sleeps).toHaveLength(1)
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(500)
    expect(logger.lines.find((l) => l.fields.event === 'retry_scheduled')?.fields).toMatchObject({
      source: 'imds',
      status: 503,
      retry: 1,
    })
  })

  it('waits out 410 (IMDS upgrading) and 404 (booting) answers', async () => {
    const clock = fakeClock()
    authority.failNext({ kind: 'imds', status: 410, count: 2 })
    authority.failNext({ kind: 'imds', status: 404 })
    await provider(imds(), clock).getToken(SCOPE)
    expect(authority.tokenRequests().map((r) => r.status)).toEqual([410, 410, 404, 200])
    // Exponential: each wait's ceiling doubles.
    expect(clock.sleeps).toHaveLength(3)
    expect(clock.sleeps[2]!).toBeGreaterThan(clock.sleeps[0]!)
  })

  it('respects Retry-After on 429', async () => {
    const clock = fakeClock()
    authority.failNext({ kind: 'imds', status: 429, retryAfter: 7 })
    await provider(imds(), clock).getToken(SCOPE)
    expect(clock.sleeps).toEqual([7000])
  })

  it('gives up after the retry budget with a TokenRequestError and a hint', async () => {
    const clock = fakeClock()
    authority.failNext({ kind: 'imds', status: 500, count: 10 })
    const error = await provider(imds({ retry: { maxRetries: 2 } }), clock)
      .getToken(SCOPE)
      .catch((e: unknown) => e)
    expect(isTokenRequestError(error)).toBe(true)
    expect(error).toMatchObject({ status: 500, code: 'ERR_TOKEN_REQUEST' })
    expect((error as Error).message).toMatch(/Hint: The Azure Instance Metadata Service is unavailable/)
    expect(authority.tokenRequests()).toHaveLength(3)
  })

  it('does not retry a 400 and explains that no identity matched', async () => {
    const clock = fakeClock()
    authority.failNext({ kind: 'imds', status: 400, error: 'invalid_request' })
    const error = await provider(imds({ clientId: 'not-assigned' }), clock)
      .getToken(SCOPE)
      .catch((e: unknown) => e)
    expect(isTokenRequestError(error) && error.hint).toMatch(/no matching managed identity/)
    expect(clock.sleeps).toEqual([])
  })

  it('fails fast, saying where managed identity works, when nothing listens at the endpoint', async () => {
    const port = await freePort()
    const clock = fakeClock()
    const error = await provider(managedIdentity({ imdsEndpoint: `http://127.0.0.1:${port}` }), clock)
      .getToken(SCOPE)
      .catch((e: unknown) => e)
    expect(isApptokenError(error, 'ERR_NETWORK')).toBe(true)
    expect((error as Error).message).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${port}/metadata/identity/oauth2/token.*Managed identity works on Azure`),
    )
    expect(clock.sleeps).toEqual([])
  })
})

describe('managedIdentity via App Service', () => {
  it('uses IDENTITY_ENDPOINT and IDENTITY_HEADER with api-version 2019-08-01', async () => {
    const { appServiceEndpoint, appServiceHeader } = authority.managedIdentity
    const logger = recordingLogger()
    const p = provider(
      managedIdentity({
        env: {
          IDENTITY_ENDPOINT: appServiceEndpoint,
          IDENTITY_HEADER: appServiceHeader,
          IMDS_ENDPOINT: 'http://127.0.0.1:9',
        },
      }),
      undefined,
      logger,
    )
    const token = await p.getToken(SCOPE)

    expect(decodeJwt(token.accessToken).aud).toBe(TEST_API_AUDIENCE)
    const [request] = authority.tokenRequests()
    expect(request).toMatchObject({ kind: 'appservice', status: 200 })
    expect(request!.form).toEqual({ 'api-version': '2019-08-01', resource: TEST_API_AUDIENCE })
    expect(request!.headers['x-identity-header']).toBe('[redacted]')
    expect(logger.text()).not.toContain(appServiceHeader)
  })

  it('takes the endpoint and header as options, with mi_res_id for a resource id', async () => {
    const { appServiceEndpoint, appServiceHeader } = authority.managedIdentity
    await provider(
      managedIdentity({
        endpoint: appServiceEndpoint,
        identityHeader: appServiceHeader,
        resourceId: '/subscriptions/s/x',
      }),
    ).getToken(SCOPE)
    expect(query(0)).toMatchObject({ mi_res_id: '/subscriptions/s/x' })
  })

  it('retries a transient 503 and explains a refused header', async () => {
    const { appServiceEndpoint, appServiceHeader } = authority.managedIdentity
    const clock = fakeClock()
    authority.failNext({ kind: 'appservice', status: 503 })
    await provider(
      managedIdentity({ endpoint: appServiceEndpoint, identityHeader: appServiceHeader }),
      clock,
    ).getToken(SCOPE)
    expect(authority.tokenRequests().map((r) => r.status)).toEqual([503, 200])

    const error = await provider(
      managedIdentity({ endpoint: appServiceEndpoint, identityHeader: 'wrong-header-value' }),
      clock,
    )
      .getToken(SCOPE)
      .catch((e: unknown) => e)
    expect(isTokenRequestError(error) && error.status).toBe(400)
    expect(isTokenRequestError(error) && error.hint).toMatch(/IDENTITY_HEADER/)
    expect(String((error as Error).message)).not.toContain('wrong-header-value')
    expect(String((error as Error).message)).not.toMatch(SECRET_LOOKING)
  })

  it('requires the header when an endpoint is given', () => {
    const error = (() => {
      try {
        managedIdentity({ endpoint: authority.managedIdentity.appServiceEndpoint, env: {} })
      } catch (e) {
        return e
      }
    })()
    expect(isConfigurationError(error) && error.option).toBe('identityHeader')
  })
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
