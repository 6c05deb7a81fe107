import type { TokenCredential as AzureTokenCredential } from '@azure/core-auth'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_TENANT_ID, type TestAuthority } from '@apptoken/testing'
import { AbortError, clientSecret, createTokenProvider, isApptokenError, type TokenProvider } from '../src/index.js'
import { API, GRAPH, authority, providerFor } from './support.js'

let a: TestAuthority
const providers: TokenProvider[] = []
const make = (options?: Parameters<typeof providerFor>[1]) => {
  const p = providerFor(a, options)
  providers.push(p)
  return p
}

beforeAll(async () => {
  a = await authority({ tenants: [DEFAULT_TENANT_ID, '11111111-2222-3333-4444-555555555555', '22222222-3333-4444-5555-666666666666'] })
})
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  a.reset()
})
afterAll(() => a.close())

describe('getToken', () => {
  it('requests an app token with the client-credentials grant and returns it', async () => {
    const token = await make().getToken(GRAPH)
    expect(token.accessToken.split('.')).toHaveLength(3)
    expect(token).toMatchObject({ tokenType: 'Bearer', scopes: [GRAPH], tenantId: a.tenantId, fromCache: false })
    expect(token.expiresAt).toBeGreaterThan(Date.now() + 3500_000)
    expect(token.refreshAt).toBeLessThan(token.expiresAt)
    const [req] = a.tokenRequests()
    expect(req).toMatchObject({ grantType: 'client_credentials', scope: GRAPH, clientId: a.clientId, authMethod: 'client_secret_post', status: 200 })
    expect(req!.path).toBe(`/${a.tenantId}/oauth2/v2.0/token`)
  })

  it('serves the cached token without another request', async () => {
    const p = make()
    const first = await p.getToken(API)
    for (let i = 0; i < 100; i++) {
      const again = await p.getToken(API)
      expect(again.accessToken).toBe(first.accessToken)
      expect(again.fromCache).toBe(true)
    }
    expect(a.tokenRequests()).toHaveLength(1)
    expect(p.stats()).toMatchObject({ tokenRequests: 1, cacheHits: 100 })
  })

  it('caches per scope set and treats a scope list in any order as the same key', async () => {
    const p = make()
    await p.getToken(API)
    await p.getToken([API])
    await p.getToken(` ${API} `)
    await p.getToken(GRAPH)
    expect(a.tokenRequests()).toHaveLength(2)
  })

  it('sends 1,000 concurrent cold calls as exactly one token request', async () => {
    const p = make()
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => p.getToken(GRAPH)))
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1)
    expect(a.tokenRequests()).toHaveLength(1)
  })

  it('coalesces concurrent forced refreshes into one request and replaces the cached token', async () => {
    const p = make()
    const before = await p.getToken(GRAPH)
    const forced = await Promise.all(Array.from({ length: 20 }, () => p.getToken(GRAPH, { forceRefresh: true })))
    expect(new Set(forced.map((t) => t.accessToken)).size).toBe(1)
    expect(forced[0]!.accessToken).not.toBe(before.accessToken)
    expect(a.tokenRequests()).toHaveLength(2)
    expect((await p.getToken(GRAPH)).accessToken).toBe(forced[0]!.accessToken)
  })

  it('skips the forced request when the rejected token was already replaced', async () => {
    const p = make()
    const old = await p.getToken(GRAPH)
    const fresh = await p.getToken(GRAPH, { forceRefresh: true, rejectedToken: old.accessToken })
    const again = await p.getToken(GRAPH, { forceRefresh: true, rejectedToken: old.accessToken })
    expect(again.accessToken).toBe(fresh.accessToken)
    expect(a.tokenRequests()).toHaveLength(2)
  })

  it("lets a caller's abort signal cancel only its own wait", async () => {
    const p = make()
    a.failNext({ delayMs: 300 })
    const controller = new AbortController()
    const aborted = p.getToken(GRAPH, { signal: controller.signal })
    const patient = p.getToken(GRAPH)
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    const token = await patient
    expect(token.accessToken).toBeTruthy()
    expect(a.tokenRequests()).toHaveLength(1)
  })

  it('rejects at once when the signal is already aborted, with no request', async () => {
    await expect(make().getToken(GRAPH, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    expect(a.tokenRequests()).toHaveLength(0)
  })
})

describe('multi-tenant daemons', () => {
  const other = '11111111-2222-3333-4444-555555555555'

  it('caches per tenant and sends each tenant to its own token endpoint', async () => {
    const p = make({ allowedTenants: [other] })
    const home = await p.getToken(GRAPH)
    const away = await p.getToken(GRAPH, { tenantId: other })
    await p.getToken(GRAPH, { tenantId: other })
    expect(away.tenantId).toBe(other)
    expect(away.accessToken).not.toBe(home.accessToken)
    expect(a.tokenRequests().map((r) => r.tenant)).toEqual([a.tenantId, other])
  })

  it('refuses a tenant that allowedTenants does not list, and names the fix', async () => {
    const p = make()
    await expect(p.getToken(GRAPH, { tenantId: other })).rejects.toMatchObject({
      code: 'ERR_CONFIGURATION',
      option: 'allowedTenants',
      message: expect.stringContaining('add it to allowedTenants'),
    })
    expect(a.tokenRequests()).toHaveLength(0)
  })

  it("allows any tenant with '*'", async () => {
    const p = make({ allowedTenants: '*' })
    await p.getToken(GRAPH, { tenantId: '22222222-3333-4444-5555-666666666666' })
    expect(a.tokenRequests()).toHaveLength(1)
  })

  it('rejects common / organizations / consumers per call too', async () => {
    const p = make({ allowedTenants: '*' })
    await expect(p.getToken(GRAPH, { tenantId: 'common' })).rejects.toMatchObject({ code: 'ERR_CONFIGURATION', option: 'tenantId' })
  })
})

describe('claims and client capabilities', () => {
  const challenge = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'

  it('sends clientCapabilities as xms_cc claims', async () => {
    await make({ clientCapabilities: ['cp1'] }).getToken(GRAPH)
    expect(JSON.parse(a.tokenRequests()[0]!.claims!)).toEqual({ access_token: { xms_cc: { values: ['cp1'] } } })
  })

  it('merges a claims challenge with the capabilities, skips the cache and replaces the cached token', async () => {
    const p = make({ clientCapabilities: ['cp1'] })
    const before = await p.getToken(GRAPH)
    const challenged = await p.getToken(GRAPH, { claims: challenge })
    expect(challenged.accessToken).not.toBe(before.accessToken)
    expect(JSON.parse(a.tokenRequests()[1]!.claims!)).toEqual({
      access_token: { nbf: { essential: true, value: '1700000000' }, xms_cc: { values: ['cp1'] } },
    })
    expect((await p.getToken(GRAPH)).accessToken).toBe(challenged.accessToken)
    expect(a.tokenRequests()).toHaveLength(2)
  })

  it('rejects claims that are not JSON with a ConfigurationError', async () => {
    await expect(make().getToken(GRAPH, { claims: 'nope' })).rejects.toMatchObject({ code: 'ERR_CONFIGURATION', option: 'claims' })
  })
})

describe('generic OAuth 2.0 authorities', () => {
  it('works with an explicit tokenEndpoint and free-form scopes', async () => {
    const p = createTokenProvider({ tokenEndpoint: a.tokenEndpoint(a.tenantId), clientId: a.clientId, credential: clientSecret(a.clientSecret) })
    providers.push(p)
    await p.getToken(API)
    expect(p.mode).toBe('generic')
    expect(a.tokenRequests()).toHaveLength(1)
  })

  it('discovers the token endpoint once from an OIDC issuer and uses client_secret_basic when asked', async () => {
    const p = createTokenProvider({ issuer: a.issuer(a.tenantId), clientId: a.clientId, credential: clientSecret(a.clientSecret, { authMethod: 'client_secret_basic' }) })
    providers.push(p)
    await p.getToken(API)
    await p.getToken(GRAPH)
    expect(a.requests.filter((r) => r.kind === 'discovery')).toHaveLength(1)
    expect(a.tokenRequests().map((r) => r.authMethod)).toEqual(['client_secret_basic', 'client_secret_basic'])
  })
})

describe('toTokenCredential', () => {
  it('answers in the @azure/core-auth shape', async () => {
    const p = make({ allowedTenants: ['11111111-2222-3333-4444-555555555555'] })
    const credential: AzureTokenCredential = p.toTokenCredential()
    const t = await credential.getToken(GRAPH)
    expect(t).toMatchObject({ tokenType: 'Bearer', token: expect.any(String) })
    expect(t!.expiresOnTimestamp).toBeGreaterThan(Date.now())
    expect(t!.refreshAfterTimestamp).toBeLessThan(t!.expiresOnTimestamp)
    await credential.getToken([GRAPH], { tenantId: '11111111-2222-3333-4444-555555555555' })
    expect(a.tokenRequests().map((r) => r.tenant)).toEqual([a.tenantId, '11111111-2222-3333-4444-555555555555'])
  })
})

describe('close', () => {
  it('refuses new calls once closed', async () => {
    const p = make()
    await p.close()
    const error = await p.getToken(GRAPH).catch((e: unknown) => e)
    expect(isApptokenError(error, 'ERR_CLOSED')).toBe(true)
  })
})
