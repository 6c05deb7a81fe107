import { decodeJwt } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  GRAPH_AUDIENCE,
  MANAGED_IDENTITY_CLIENT_ID,
  TEST_API_AUDIENCE,
  startTestAuthority,
  type TestAuthority,
} from '../src/index.js'
import { get } from './support.js'

const NOW = Date.UTC(2030, 5, 1, 12)
let authority: TestAuthority
beforeAll(async () => {
  authority = await startTestAuthority({ now: () => NOW })
})
afterAll(() => authority.close())
beforeEach(() => authority.reset())

const imds = (resource: string, extra = ''): string =>
  `${authority.managedIdentity.imdsEndpoint}?api-version=2018-02-01&resource=${encodeURIComponent(resource)}${extra}`
const appService = (resource: string): string =>
  `${authority.managedIdentity.appServiceEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent(resource)}`

describe('IMDS', () => {
  it('requires the Metadata: true header', async () => {
    const res = await get(imds(GRAPH_AUDIENCE))
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'Required metadata header not specified',
    })
    expect(authority.tokenRequests()[0]).toMatchObject({
      kind: 'imds',
      status: 400,
      authMethod: 'managed_identity',
    })
  })

  it('issues a token with string numbers, as IMDS does', async () => {
    const res = await get(imds(GRAPH_AUDIENCE), { metadata: 'true' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      expires_in: '86399',
      expires_on: String(NOW / 1000 + 86399),
      resource: GRAPH_AUDIENCE,
      token_type: 'Bearer',
      client_id: MANAGED_IDENTITY_CLIENT_ID,
    })
    expect(decodeJwt(res.body.access_token)).toMatchObject({
      aud: GRAPH_AUDIENCE,
      appid: MANAGED_IDENTITY_CLIENT_ID,
      roles: ['User.Read.All'],
      tid: authority.tenantId,
    })
    expect(authority.tokenRequests({ scope: `${GRAPH_AUDIENCE}/.default` })).toHaveLength(1)
  })

  it('issues for a user-assigned identity chosen by client_id', async () => {
    const res = await get(imds(TEST_API_AUDIENCE, '&client_id=77777777-0000-4000-8000-000000000007'), {
      metadata: 'true',
    })
    expect(res.body.client_id).toBe('77777777-0000-4000-8000-000000000007')
    expect(authority.tokenRequests({ clientId: '77777777-0000-4000-8000-000000000007' })).toHaveLength(1)
  })

  it('requires api-version and resource', async () => {
    const noVersion = await get(`${authority.managedIdentity.imdsEndpoint}?resource=x`, { metadata: 'true' })
    expect(noVersion.body.error_description).toBe("Required query variable 'api-version' is missing")
    const noResource = await get(`${authority.managedIdentity.imdsEndpoint}?api-version=2018-02-01`, {
      metadata: 'true',
    })
    expect(noResource.body.error_description).toBe("Required query variable 'resource' is missing")
  })

  it('answers injected faults: 503 then success, 410', async () => {
    authority.failNext({ kind: 'imds', status: 503 })
    authority.failNext({ kind: 'imds', status: 410 })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await get(imds(GRAPH_AUDIENCE), { metadata: 'true' })).status)
    expect(statuses).toEqual([503, 410, 200])
  })
})

describe('App Service', () => {
  it('requires the X-IDENTITY-HEADER secret', async () => {
    expect((await get(appService(GRAPH_AUDIENCE))).status).toBe(400)
    expect((await get(appService(GRAPH_AUDIENCE), { 'x-identity-header': 'guess' })).status).toBe(400)
    expect(JSON.stringify(authority.requests)).not.toContain(authority.managedIdentity.appServiceHeader)
  })

  it('issues a token with expires_on in epoch seconds', async () => {
    const res = await get(appService(TEST_API_AUDIENCE), {
      'x-identity-header': authority.managedIdentity.appServiceHeader,
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      expires_on: String(NOW / 1000 + 86399),
      resource: TEST_API_AUDIENCE,
      token_type: 'Bearer',
    })
    expect(decodeJwt(res.body.access_token).roles).toEqual(['TodoList.Read.All', 'TodoList.ReadWrite.All'])
    expect(authority.tokenRequests()[0]).toMatchObject({ kind: 'appservice', status: 200 })
  })

  it('answers appservice faults', async () => {
    authority.failNext({ kind: 'appservice', status: 500, body: 'boom' })
    const res = await get(appService(TEST_API_AUDIENCE), {
      'x-identity-header': authority.managedIdentity.appServiceHeader,
    })
    expect([res.status, res.text]).toEqual([500, 'boom'])
  })
})
