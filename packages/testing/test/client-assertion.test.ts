import { decodeJwt } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  TEST_API_AUDIENCE,
  createTestCertificate,
  startTestAuthority,
  type TestAuthority,
  type TestCertificate,
} from '../src/index.js'
import { assertionForm, postToken, signAssertion, type Answer } from './support.js'

const APP = 'c3f1b2a4-5d6e-4f70-8a9b-0c1d2e3f4a5b'
const REPLAY_SAFE_APP = 'd4a2c3b5-6e7f-4081-9bac-1d2e3f4a5b6c'
const SCOPE = `${TEST_API_AUDIENCE}/.default`

let authority: TestAuthority
let cert: TestCertificate
let otherCert: TestCertificate
beforeAll(async () => {
  ;[cert, otherCert] = await Promise.all([
    createTestCertificate(),
    createTestCertificate({ commonName: 'not-registered' }),
  ])
  authority = await startTestAuthority()
  authority.registerClient({
    clientId: APP,
    certificates: [cert.combinedPem],
    roles: { [TEST_API_AUDIENCE]: ['TodoList.Read.All'] },
  })
  authority.registerClient({
    clientId: REPLAY_SAFE_APP,
    certificates: [cert.certificate],
    rejectReplayedAssertions: true,
  })
})
afterAll(() => authority.close())
beforeEach(() => authority.reset())

const request = async (assertion: string, clientId = APP) =>
  postToken(authority, assertionForm(clientId, assertion, SCOPE))

const expectAssertionError = (res: Answer, reason: RegExp): void => {
  expect(res.status).toBe(401)
  expect(res.body).toMatchObject({ error: 'invalid_client', error_codes: [700027] })
  expect(res.body.error_description).toMatch(/^AADSTS700027: /)
  expect(res.body.error_description).toMatch(reason)
}

describe('certificate client assertions', () => {
  it('accepts PS256 signed with x5t#S256', async () => {
    const res = await request(
      await signAssertion(cert, { clientId: APP, audience: authority.tokenEndpoint() }),
    )
    expect(res.status).toBe(200)
    expect(decodeJwt(res.body.access_token)).toMatchObject({
      appid: APP,
      azpacr: '2',
      roles: ['TodoList.Read.All'],
    })
    expect(authority.tokenRequests()[0]).toMatchObject({ authMethod: 'private_key_jwt', status: 200 })
    expect(authority.tokenRequests()[0]?.form.client_assertion).toBe('[redacted]')
  })

  it('accepts RS256 signed with x5t', async () => {
    const res = await request(
      await signAssertion(cert, { clientId: APP, audience: authority.tokenEndpoint() }, { alg: 'RS256' }),
    )
    expect(res.status).toBe(200)
  })

  it('accepts the token endpoint of the tenant domain as audience', async () => {
    const res = await postToken(
      authority,
      assertionForm(
        APP,
        await signAssertion(cert, {
          clientId: APP,
          audience: authority.tokenEndpoint('contoso.onmicrosoft.com'),
        }),
        SCOPE,
      ),
      { tenant: 'contoso.onmicrosoft.com' },
    )
    expect(res.status).toBe(200)
  })

  it('rejects a wrong audience', async () => {
    const res = await request(
      await signAssertion(cert, {
        clientId: APP,
        audience: `${authority.authorityHost}/${authority.tenantId}/v2.0`,
      }),
    )
    expectAssertionError(res, /audience claim does not match the token endpoint/)
  })

  it('rejects an audience array, even one holding the endpoint', async () => {
    const res = await request(
      await signAssertion(cert, {
        clientId: APP,
        audience: [authority.tokenEndpoint(), 'https://example.test'],
      }),
    )
    expectAssertionError(res, /single string/)
  })

  it('rejects a certificate that is not registered', async () => {
    const res = await request(
      await signAssertion(otherCert, { clientId: APP, audience: authority.tokenEndpoint() }),
    )
    expectAssertionError(
      res,
      new RegExp(`The key was not found., Thumbprint of key used by client: '${otherCert.x5tS256}'`),
    )
  })

  it('rejects a registered thumbprint signed with another key', async () => {
    const res = await request(
      await signAssertion(
        cert,
        { clientId: APP, audience: authority.tokenEndpoint() },
        { key: otherCert.privateKey },
      ),
    )
    expectAssertionError(res, /signature is invalid/)
  })

  it('rejects an expired assertion', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600
    const res = await request(
      await signAssertion(
        cert,
        { clientId: APP, audience: authority.tokenEndpoint() },
        { nbf: past - 600, exp: past },
      ),
    )
    expectAssertionError(res, /expired/)
  })

  it('rejects an assertion not valid yet, beyond the 60 s skew', async () => {
    const future = Math.floor(Date.now() / 1000) + 300
    const res = await request(
      await signAssertion(
        cert,
        { clientId: APP, audience: authority.tokenEndpoint() },
        { nbf: future, exp: future + 600 },
      ),
    )
    expectAssertionError(res, /not yet valid/)
  })

  it('rejects an assertion issued for another client', async () => {
    const res = await request(
      await signAssertion(cert, { clientId: 'someone-else', audience: authority.tokenEndpoint() }),
    )
    expectAssertionError(res, /Claim 'iss'/)
  })

  it('rejects a wrong client_assertion_type', async () => {
    const form = {
      ...assertionForm(
        APP,
        await signAssertion(cert, { clientId: APP, audience: authority.tokenEndpoint() }),
        SCOPE,
      ),
      client_assertion_type: 'jwt',
    }
    expectAssertionError(await postToken(authority, form), /client_assertion_type/)
  })

  it('rejects an assertion signed with an expired certificate', async () => {
    const expired = await createTestCertificate({ days: -1 })
    authority.registerClient({ clientId: 'expired-cert-app', certificates: [expired.certificate] })
    const res = await request(
      await signAssertion(expired, { clientId: 'expired-cert-app', audience: authority.tokenEndpoint() }),
      'expired-cert-app',
    )
    expectAssertionError(res, /The key used is expired/)
  })

  it('rejects a replayed jti when the app asks for it', async () => {
    const assertion = await signAssertion(
      cert,
      { clientId: REPLAY_SAFE_APP, audience: authority.tokenEndpoint() },
      { jti: 'same-jti' },
    )
    expect((await request(assertion, REPLAY_SAFE_APP)).status).toBe(200)
    expectAssertionError(
      await request(assertion, REPLAY_SAFE_APP),
      /jti 'same-jti' was already used \(replay\)/,
    )
  })

  it('accepts a reused jti when the app does not ask', async () => {
    const assertion = await signAssertion(
      cert,
      { clientId: APP, audience: authority.tokenEndpoint() },
      { jti: 'reused' },
    )
    expect((await request(assertion)).status).toBe(200)
    expect((await request(assertion)).status).toBe(200)
  })
})
