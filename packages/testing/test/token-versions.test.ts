import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_TENANT_DOMAIN,
  DEFAULT_TENANT_ID,
  GRAPH_AUDIENCE,
  TEST_API_AUDIENCE,
  startProtectedApi,
  startTestAuthority,
  type ProtectedApi,
  type TestAuthority,
} from '../src/index.js'
import { bearer, get, postToken, secretForm } from './support.js'

let authority: TestAuthority
beforeAll(async () => {
  authority = await startTestAuthority()
})
afterAll(() => authority.close())
beforeEach(() => authority.reset())

const V1_ISSUER = `https://sts.windows.net/${DEFAULT_TENANT_ID}/`

async function tokenFor(scope: string, from = authority): Promise<string> {
  const res = await postToken(from, secretForm(from, scope))
  expect(res.status).toBe(200)
  return res.body.access_token as string
}

describe('v1.0 tokens for Azure resources, as Entra issues them', () => {
  it('issues a v1.0 token for Storage, signed and verifiable against the JWKS', async () => {
    const token = await tokenFor('https://storage.azure.com/.default')

    const { payload } = await jwtVerify(token, createLocalJWKSet(authority.jwks), {
      issuer: authority.issuer(undefined, 1),
      audience: 'https://storage.azure.com',
    })
    expect(authority.issuer(DEFAULT_TENANT_DOMAIN, 1)).toBe(V1_ISSUER)
    expect(payload).toMatchObject({
      iss: V1_ISSUER,
      idp: V1_ISSUER,
      ver: '1.0',
      appid: DEFAULT_CLIENT_ID,
      appidacr: '1',
      tid: DEFAULT_TENANT_ID,
      idtyp: 'app',
    })
    expect(payload.oid).toMatch(/^[0-9a-f-]{36}$/)
    expect(payload.azp).toBeUndefined() // v1.0 names the client appid only
  })

  it.each([
    ['https://vault.azure.net/.default', 'https://vault.azure.net'],
    ['https://management.azure.com//.default', 'https://management.azure.com/'],
    ['https://database.windows.net//.default', 'https://database.windows.net/'],
    ['https://servicebus.azure.net/.default', 'https://servicebus.azure.net'],
    ['https://eventhubs.azure.net/.default', 'https://eventhubs.azure.net'],
    ['https://myaccount.blob.core.windows.net/.default', 'https://myaccount.blob.core.windows.net'],
    ['https://vault.usgovcloudapi.net/.default', 'https://vault.usgovcloudapi.net'],
  ])('%s gets a v1.0 token whose aud is the resource as requested', async (scope, aud) => {
    const payload = decodeJwt(await tokenFor(scope))
    expect(payload).toMatchObject({ aud, ver: '1.0', iss: V1_ISSUER })
    expect(authority.tokenVersion(aud)).toBe(1)
  })

  it.each([
    `${TEST_API_AUDIENCE}/.default`,
    `${GRAPH_AUDIENCE}/.default`,
    'https://api.contoso.com/.default',
  ])('%s keeps the v2.0 format', async (scope) => {
    const payload = decodeJwt(await tokenFor(scope))
    expect(payload).toMatchObject({ ver: '2.0', iss: authority.issuer(), azp: DEFAULT_CLIENT_ID })
  })

  it('issues v1.0 managed identity tokens for Storage too', async () => {
    const url = new URL(authority.managedIdentity.imdsEndpoint)
    url.search = new URLSearchParams({
      'api-version': '2018-02-01',
      resource: 'https://storage.azure.com/',
    }).toString()
    const body = (await (await fetch(url, { headers: { Metadata: 'true' } })).json()) as {
      access_token: string
    }
    expect(decodeJwt(body.access_token)).toMatchObject({
      ver: '1.0',
      iss: V1_ISSUER,
      aud: 'https://storage.azure.com/',
    })
  })

  it('lists both issuers of every tenant', () => {
    expect(authority.issuers()).toEqual(
      authority.tenantIds.flatMap((t) => [
        `${authority.authorityHost}/${t}/v2.0`,
        `https://sts.windows.net/${t}/`,
      ]),
    )
  })
})

describe('choosing the version per resource', () => {
  let chosen: TestAuthority
  let api: ProtectedApi
  beforeAll(async () => {
    chosen = await startTestAuthority({
      tokenVersions: { [`${TEST_API_AUDIENCE}/`]: 1, 'https://vault.azure.net': 2 },
    })
    api = await startProtectedApi({ authority: chosen })
  })
  afterAll(async () => {
    await api.close()
    await chosen.close()
  })

  it('overrides the default, with or without a trailing slash', async () => {
    expect(decodeJwt(await tokenFor(`${TEST_API_AUDIENCE}/.default`, chosen))).toMatchObject({ ver: '1.0' })
    expect(decodeJwt(await tokenFor('https://vault.azure.net/.default', chosen))).toMatchObject({
      ver: '2.0',
      iss: chosen.issuer(),
    })
  })

  it('the protected API accepts v1.0 and v2.0 tokens of its authority', async () => {
    const v1 = await tokenFor(`${TEST_API_AUDIENCE}/.default`, chosen)
    const v2 = await chosen.issueToken({ audience: TEST_API_AUDIENCE, version: 2 })
    expect(decodeJwt(v2).ver).toBe('2.0')

    expect((await get(`${api.url}/api/todolist`, bearer(v1))).status).toBe(200)
    expect((await get(`${api.url}/api/todolist`, bearer(v2))).status).toBe(200)
  })

  it('the protected API refuses a v1.0 token signed by another authority', async () => {
    const foreign = await authority.issueToken({ audience: TEST_API_AUDIENCE, version: 1 })
    expect(decodeJwt(foreign).iss).toBe(V1_ISSUER) // same issuer string, other keys
    const res = await get(`${api.url}/api/todolist`, bearer(foreign))
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/signing key was not found/)
  })

  it('refuses a version other than 1 or 2', async () => {
    await expect(startTestAuthority({ tokenVersions: { 'api://x': 3 as 1 } })).rejects.toThrow(
      "tokenVersions['api://x'] must be 1 or 2, got 3",
    )
  })
})
