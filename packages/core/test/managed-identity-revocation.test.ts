import { createHash } from 'node:crypto'
import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  MANAGED_IDENTITY_CLIENT_ID,
  startManagedIdentityEndpoint,
  startProtectedApi,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type ManagedIdentityEndpoint,
  type ManagedIdentitySourceName,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import { createRequestAuthorizer } from '../src/adapter.js'
import {
  AzureCloud,
  createTokenProvider,
  isTokenRequestError,
  managedIdentity,
  managedIdentityAssertion,
  type CredentialContext,
  type TokenProvider,
  type TokenSourceCredential,
} from '../src/index.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`
const CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

let authority: TestAuthority
let api: ProtectedApi
const endpoints = new Map<ManagedIdentitySourceName, ManagedIdentityEndpoint>()
const providers: TokenProvider[] = []

beforeAll(async () => {
  authority = await startTestAuthority()
  api = await startProtectedApi({ authority })
  for (const source of ['appService', 'serviceFabric', 'imds', 'azureArc'] as const)
    endpoints.set(source, await startManagedIdentityEndpoint({ source, authority }))
})
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  for (const e of endpoints.values()) e.reset()
  api.reset()
  authority.reset()
})
afterAll(async () => {
  await Promise.all([...endpoints.values()].map((e) => e.close()))
  await api.close()
  await authority.close()
})

const endpoint = (source: ManagedIdentitySourceName): ManagedIdentityEndpoint => endpoints.get(source)!
function miProvider(source: ManagedIdentitySourceName): TokenProvider {
  const e = endpoint(source)
  const credential = managedIdentity({ env: e.env, arcKeyDirectory: e.arcKeyDirectory! })
  const p = createTokenProvider({ credential, clientCapabilities: ['cp1'] })
  providers.push(p)
  return p
}

/** What an adapter does, through core's authorizer: send, and on a 401 refresh and re-send once. */
async function callApi(p: TokenProvider): Promise<{ status: number; tokens: string[]; retries: number }> {
  const auth = createRequestAuthorizer(p, { scopes: SCOPE }, { baseUrl: api.url, adapter: 'test client' })
  const url = `${api.url}/api/todolist`
  const first = (await auth.authorize(url))!
  let res = await fetch(url, { headers: { authorization: first.header } })
  const tokens = [first.token]
  let retries = 0
  if (res.status === 401) {
    const next = await auth.onUnauthorized({
      url,
      wwwAuthenticate: res.headers.get('www-authenticate'),
      token: first.token,
      retried: false,
    })
    if (next !== undefined) {
      retries++
      tokens.push(next.token)
      res = await fetch(url, { headers: { authorization: next.header } })
    }
  }
  await res.arrayBuffer()
  return { status: res.status, tokens, retries }
}

describe('revocation and CAE on managed identity', () => {
  it.each(['appService', 'serviceFabric'] as const)(
    '%s: a claims challenge from the API ends with a new token and one retry; the endpoint sees token_sha256_to_refresh',
    async (source) => {
      const p = miProvider(source)
      const old = (await p.getToken(SCOPE)).accessToken
      api.challengeNext(CLAIMS)
      const { status, tokens, retries } = await callApi(p)

      expect(status).toBe(200)
      expect(retries).toBe(1)
      expect(tokens[0]).toBe(old)
      expect(tokens[1]).not.toBe(old)
      const refresh = endpoint(source).requests.at(-1)!
      expect(refresh.query).toMatchObject({ token_sha256_to_refresh: sha256(old), xms_cc: 'cp1' })
      expect((await p.getToken(SCOPE)).accessToken).toBe(tokens[1])
    },
  )

  it.each(['appService', 'serviceFabric'] as const)(
    '%s: a 401 from the API on a revoked token ends with a new token and one retry',
    async (source) => {
      const p = miProvider(source)
      const old = (await p.getToken(SCOPE)).accessToken
      api.revoke(old)
      const { status, tokens, retries } = await callApi(p)

      expect(status).toBe(200)
      expect(retries).toBe(1)
      expect(tokens[1]).not.toBe(old)
      expect(endpoint(source).requests.at(-1)!.query.token_sha256_to_refresh).toBe(sha256(old))
    },
  )

  it('without token_sha256_to_refresh the caching endpoint would answer the same token', async () => {
    // The emulator caches as App Service does: a plain second request gets the cached token back.
    const e = endpoint('appService')
    const url = new URL(e.env.IDENTITY_ENDPOINT!)
    url.search = new URLSearchParams({ 'api-version': '2019-08-01', resource: TEST_API_AUDIENCE }).toString()
    const ask = async () =>
      (
        (await (await fetch(url, { headers: { 'x-identity-header': e.env.IDENTITY_HEADER! } })).json()) as {
          access_token: string
        }
      ).access_token
    expect(await ask()).toBe(await ask())
  })

  it.each(['imds', 'azureArc'] as const)(
    '%s (no revocation support): a claims challenge or a 401 still ends with a new token, nothing extra sent',
    async (source) => {
      const p = miProvider(source)
      const old = (await p.getToken(SCOPE)).accessToken
      api.challengeNext(CLAIMS)
      const challenged = await callApi(p)
      expect(challenged).toMatchObject({ status: 200, retries: 1 })
      expect(challenged.tokens[1]).not.toBe(old)

      api.revoke(challenged.tokens[1]!)
      const unauthorized = await callApi(p)
      expect(unauthorized).toMatchObject({ status: 200, retries: 1 })
      for (const r of endpoint(source).requests) {
        expect(r.query).not.toHaveProperty('token_sha256_to_refresh')
        expect(r.query).not.toHaveProperty('xms_cc')
      }
    },
  )

  it('getToken with claims names the cached token it replaces', async () => {
    const p = miProvider('appService')
    const old = (await p.getToken(SCOPE)).accessToken
    const fresh = await p.getToken(SCOPE, { claims: CLAIMS })
    expect(fresh.accessToken).not.toBe(old)
    expect(endpoint('appService').requests.at(-1)!.query.token_sha256_to_refresh).toBe(sha256(old))
  })
})

describe('managedIdentityAssertion', () => {
  const APP_ID = '6c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'

  it('gets an app token through the authority federated-credential check', async () => {
    const probe = decodeJwt(
      await authority.issueToken({
        audience: 'api://AzureADTokenExchange',
        clientId: MANAGED_IDENTITY_CLIENT_ID,
      }),
    )
    authority.registerClient({
      clientId: APP_ID,
      federatedCredentials: [{ issuer: probe.iss!, subject: probe.sub! }],
      roles: { [TEST_API_AUDIENCE]: ['TodoList.Read.All'] },
    })
    const identity = managedIdentity({ env: endpoint('appService').env })
    const p = createTokenProvider({
      authorityHost: authority.authorityHost,
      tenantId: authority.tenantId,
      clientId: APP_ID,
      credential: managedIdentityAssertion(identity),
    })
    providers.push(p)
    const token = await p.getToken(SCOPE)

    expect(decodeJwt(token.accessToken)).toMatchObject({ appid: APP_ID, roles: ['TodoList.Read.All'] })
    expect(endpoint('appService').requests.at(-1)!.query.resource).toBe('api://AzureADTokenExchange')
    expect(authority.tokenRequests()[0]).toMatchObject({ authMethod: 'private_key_jwt', status: 200 })
  })

  it('is refused by an app whose federated credential trusts another subject', async () => {
    const probe = decodeJwt(
      await authority.issueToken({
        audience: 'api://AzureADTokenExchange',
        clientId: MANAGED_IDENTITY_CLIENT_ID,
      }),
    )
    authority.registerClient({
      clientId: APP_ID,
      federatedCredentials: [{ issuer: probe.iss!, subject: 'someone-else' }],
    })
    const p = createTokenProvider({
      authorityHost: authority.authorityHost,
      tenantId: authority.tenantId,
      clientId: APP_ID,
      credential: managedIdentityAssertion(managedIdentity({ env: endpoint('appService').env })),
      retry: false,
    })
    providers.push(p)
    const error = await p.getToken(SCOPE).catch((e: unknown) => e)
    expect(isTokenRequestError(error) && error.errorDescription).toMatch(
      /No matching federated identity record/,
    )
  })

  it('asks for the audience of the cloud, or the one given', async () => {
    const asked: string[] = []
    const identity: TokenSourceCredential = {
      kind: 'recording',
      getToken: async (ctx) => {
        asked.push(ctx.scopes[0]!)
        return { accessToken: 'eyJ.e30.sig', expiresAt: Date.now() + 3_600_000 }
      },
    }
    const ctx = (authorityHost: string) =>
      ({ scopes: [SCOPE], authorityHost }) as unknown as CredentialContext
    await managedIdentityAssertion(identity).authenticate(ctx(AzureCloud.Public))
    await managedIdentityAssertion(identity).authenticate(ctx(AzureCloud.USGovernment))
    await managedIdentityAssertion(identity).authenticate(ctx(AzureCloud.China))
    await managedIdentityAssertion(identity, { audience: 'api://custom-exchange' }).authenticate(
      ctx(AzureCloud.China),
    )
    expect(asked).toEqual([
      'api://AzureADTokenExchange/.default',
      'api://AzureADTokenExchangeUSGov/.default',
      'api://AzureADTokenExchangeChina/.default',
      'api://custom-exchange/.default',
    ])
  })
})
