import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_TENANT_ID,
  GRAPH_AUDIENCE,
  TEST_API_AUDIENCE,
  startTestAuthority,
  type TestAuthority,
} from '../src/index.js'
import { get, postToken, secretForm, type Answer } from './support.js'

let authority: TestAuthority
beforeAll(async () => {
  authority = await startTestAuthority()
})
afterAll(() => authority.close())
beforeEach(() => authority.reset())

const API_SCOPE = `${TEST_API_AUDIENCE}/.default`

describe('client secret', () => {
  it('issues a signed app token for client_secret_post', async () => {
    const res = await postToken(authority, secretForm(authority, API_SCOPE))

    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600 })
    expect(res.body.refresh_in).toBeUndefined()
    const { payload, protectedHeader } = await jwtVerify(
      res.body.access_token,
      createLocalJWKSet(authority.jwks),
      {
        issuer: authority.issuer(),
        audience: TEST_API_AUDIENCE,
      },
    )
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: authority.jwks.keys[0]?.kid })
    expect(payload).toMatchObject({
      tid: DEFAULT_TENANT_ID,
      appid: DEFAULT_CLIENT_ID,
      azp: DEFAULT_CLIENT_ID,
      idtyp: 'app',
      roles: ['TodoList.Read.All', 'TodoList.ReadWrite.All'],
    })
    expect(payload.exp! - payload.iat!).toBe(3600)
    expect(payload.oid).toBe(payload.sub)
    expect(authority.tokenRequests()).toMatchObject([
      {
        kind: 'token',
        status: 200,
        clientId: DEFAULT_CLIENT_ID,
        tenant: DEFAULT_TENANT_ID,
        scope: API_SCOPE,
        resource: TEST_API_AUDIENCE,
        grantType: 'client_credentials',
        authMethod: 'client_secret_post',
      },
    ])
  })

  it('accepts client_secret_basic with form-urlencoded credentials', async () => {
    const basic = Buffer.from(
      `${encodeURIComponent(authority.clientId)}:${encodeURIComponent(authority.clientSecret)}`,
    ).toString('base64')
    const res = await postToken(
      authority,
      { grant_type: 'client_credentials', scope: `${GRAPH_AUDIENCE}/.default` },
      { headers: { authorization: `Basic ${basic}` } },
    )

    expect(res.status).toBe(200)
    expect(decodeJwt(res.body.access_token)).toMatchObject({ aud: GRAPH_AUDIENCE, roles: ['User.Read.All'] })
    expect(authority.tokenRequests()[0]).toMatchObject({
      authMethod: 'client_secret_basic',
      clientId: DEFAULT_CLIENT_ID,
    })
  })

  it('never records secrets', async () => {
    await postToken(authority, secretForm(authority, API_SCOPE))
    const basic = Buffer.from(`${authority.clientId}:${authority.clientSecret}`).toString('base64')
    await postToken(
      authority,
      { grant_type: 'client_credentials', scope: API_SCOPE },
      { headers: { authorization: `Basic ${basic}` } },
    )

    const recorded = JSON.stringify(authority.requests)
    expect(recorded).not.toContain(authority.clientSecret)
    expect(recorded).not.toContain(basic)
    expect(authority.requests[0]?.form.client_secret).toBe('[redacted]')
  })

  it('issues a different token every time', async () => {
    const [a, b] = await Promise.all([
      postToken(authority, secretForm(authority, API_SCOPE)),
      postToken(authority, secretForm(authority, API_SCOPE)),
    ])
    expect(a.body.access_token).not.toBe(b.body.access_token)
  })

  it('accepts the tenant domain and issues for the tenant GUID', async () => {
    const res = await postToken(authority, secretForm(authority, API_SCOPE), {
      tenant: 'contoso.onmicrosoft.com',
    })
    expect(res.status).toBe(200)
    expect(decodeJwt(res.body.access_token)).toMatchObject({
      tid: DEFAULT_TENANT_ID,
      iss: authority.issuer(DEFAULT_TENANT_ID),
    })
    expect(authority.tokenRequests({ tenant: DEFAULT_TENANT_ID })).toHaveLength(1)
  })

  it('keeps the trailing slash of a v1 resource in aud', async () => {
    const res = await postToken(authority, secretForm(authority, 'https://database.windows.net//.default'))
    const claims = decodeJwt(res.body.access_token)
    expect(claims.aud).toBe('https://database.windows.net/')
    expect(claims.roles).toBeUndefined()
  })

  it('puts xms_cc from the claims parameter into the token and records it', async () => {
    const claims = JSON.stringify({ access_token: { xms_cc: { values: ['cp1'] } } })
    const res = await postToken(authority, { ...secretForm(authority, API_SCOPE), claims })
    expect(decodeJwt(res.body.access_token).xms_cc).toEqual(['cp1'])
    expect(authority.tokenRequests()[0]?.claims).toBe(claims)
  })

  it('echoes client-request-id as the correlation id', async () => {
    const res = await postToken(
      authority,
      { ...secretForm(authority, API_SCOPE), client_secret: 'wrong' },
      { headers: { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' } },
    )
    expect(res.body.correlation_id).toBe('c0ffee00-0000-4000-8000-000000000001')
    expect(res.body.error_description).toContain('Correlation ID: c0ffee00-0000-4000-8000-000000000001')
    expect(res.headers.get('client-request-id')).toBe('c0ffee00-0000-4000-8000-000000000001')
  })
})

describe('Entra-shaped errors', () => {
  const expectEntraError = (res: Answer, status: number, error: string, code: number): void => {
    expect(res.status).toBe(status)
    expect(res.body).toMatchObject({ error, error_codes: [code] })
    expect(res.body.error_description).toMatch(
      new RegExp(
        `^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
      ),
    )
    expect(res.body.trace_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)
    expect(res.body.error_uri).toBe(`https://login.microsoftonline.com/error?code=${code}`)
  }

  it.each([
    ['a scope without /.default', 'User.Read'],
    ['a resource without /.default', TEST_API_AUDIENCE],
    ['two resources', `${TEST_API_AUDIENCE}/.default ${GRAPH_AUDIENCE}/.default`],
  ])('rejects %s with AADSTS70011', async (_, scope) => {
    const res = await postToken(authority, secretForm(authority, scope))
    expectEntraError(res, 400, 'invalid_scope', 70011)
  })

  it('suggests the corrected scope', async () => {
    const res = await postToken(authority, secretForm(authority, `${TEST_API_AUDIENCE}/TodoList.Read`))
    expect(res.body.error_description).toContain(`'${TEST_API_AUDIENCE}/.default'`)
  })

  it('rejects an unknown client with AADSTS700016', async () => {
    const res = await postToken(authority, {
      ...secretForm(authority, API_SCOPE),
      client_id: '00000000-0000-4000-8000-00000000dead',
    })
    expectEntraError(res, 400, 'unauthorized_client', 700016)
    expect(res.body.error_description).toContain(
      "Application with identifier '00000000-0000-4000-8000-00000000dead' was not found",
    )
  })

  it('rejects a wrong secret with AADSTS7000215', async () => {
    const res = await postToken(authority, {
      ...secretForm(authority, API_SCOPE),
      client_secret: 'a1b2c3d4-secret-id-not-value',
    })
    expectEntraError(res, 401, 'invalid_client', 7000215)
    expect(authority.tokenRequests()[0]).toMatchObject({ status: 401, error: 'invalid_client' })
  })

  it('rejects missing credentials with AADSTS7000218', async () => {
    const { client_secret: _, ...form } = secretForm(authority, API_SCOPE)
    expectEntraError(await postToken(authority, form), 401, 'invalid_client', 7000218)
  })

  it('rejects an unknown tenant with AADSTS90002', async () => {
    const res = await postToken(authority, secretForm(authority, API_SCOPE), {
      tenant: 'fabrikam.onmicrosoft.com',
    })
    expectEntraError(res, 400, 'invalid_request', 90002)
    expect(res.body.error_description).toContain("Tenant 'fabrikam.onmicrosoft.com' not found")
  })

  it('rejects the common alias for client credentials', async () => {
    expectEntraError(
      await postToken(authority, secretForm(authority, API_SCOPE), { tenant: 'common' }),
      400,
      'invalid_request',
      90002,
    )
  })

  it('rejects other grant types with AADSTS70003', async () => {
    const res = await postToken(authority, { ...secretForm(authority, API_SCOPE), grant_type: 'password' })
    expectEntraError(res, 400, 'unsupported_grant_type', 70003)
  })

  it('rejects invalid claims JSON', async () => {
    const res = await postToken(authority, { ...secretForm(authority, API_SCOPE), claims: '{not json' })
    expectEntraError(res, 400, 'invalid_request', 90100)
  })

  it('rejects a client registered only in another tenant with AADSTS700016', async () => {
    const other = await startTestAuthority({
      tenants: [DEFAULT_TENANT_ID, '11111111-2222-4333-8444-555555555555'],
    })
    try {
      other.registerClient({
        clientId: 'single-tenant-app',
        secret: 's3cret',
        tenants: ['11111111-2222-4333-8444-555555555555'],
      })
      const form = {
        grant_type: 'client_credentials',
        client_id: 'single-tenant-app',
        client_secret: 's3cret',
        scope: API_SCOPE,
      }
      expect((await postToken(other, form, { tenant: '11111111-2222-4333-8444-555555555555' })).status).toBe(
        200,
      )
      expectEntraError(await postToken(other, form), 400, 'unauthorized_client', 700016)
    } finally {
      await other.close()
    }
  })
})

describe('discovery', () => {
  it('serves OpenID configuration and keys like Entra v2', async () => {
    const res = await get(
      `${authority.authorityHost}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`,
    )
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      issuer: authority.issuer(),
      token_endpoint: authority.tokenEndpoint(),
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      id_token_signing_alg_values_supported: ['RS256'],
    })
    const keys = await get(res.body.jwks_uri)
    expect(keys.body.keys).toEqual(authority.jwks.keys)
    expect((await get(authority.jwksUri)).body).toEqual(authority.jwks)
    expect(authority.requests.map((r) => r.kind)).toEqual(['discovery', 'jwks', 'jwks'])
  })

  it('answers 400 AADSTS90002 for an unknown tenant', async () => {
    const res = await get(`${authority.authorityHost}/nope.example/v2.0/.well-known/openid-configuration`)
    expect(res.status).toBe(400)
    expect(res.body.error_codes).toEqual([90002])
  })
})

describe('options', () => {
  it('uses the clock, lifetime and refresh_in given', async () => {
    const now = Date.UTC(2030, 0, 1)
    const custom = await startTestAuthority({
      now: () => now,
      tokenLifetimeSeconds: 600,
      refreshInSeconds: 300,
    })
    try {
      const res = await postToken(custom, secretForm(custom, API_SCOPE))
      expect(res.body).toMatchObject({ expires_in: 600, refresh_in: 300 })
      expect(decodeJwt(res.body.access_token)).toMatchObject({ iat: now / 1000, exp: now / 1000 + 600 })
      expect(custom.requests[0]?.time).toBe(now)
    } finally {
      await custom.close()
    }
  })

  it('mints tokens directly with issueToken', async () => {
    const token = await authority.issueToken({ audience: TEST_API_AUDIENCE, roles: [], extra: { custom: 1 } })
    const header = decodeProtectedHeader(token)
    expect(header.kid).toBe(authority.jwks.keys[0]?.kid)
    expect(decodeJwt(token)).toMatchObject({ aud: TEST_API_AUDIENCE, appid: DEFAULT_CLIENT_ID, custom: 1 })
    expect(decodeJwt(token).roles).toBeUndefined()
    await expect(authority.issueToken({ audience: TEST_API_AUDIENCE, tenant: 'nope' })).rejects.toThrow(
      /Unknown tenant 'nope'/,
    )
  })
})
