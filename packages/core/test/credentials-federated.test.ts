import { writeFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestCertificate,
  DEFAULT_TENANT_DOMAIN,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type TestAuthority,
  type TestCertificate,
} from '@apptoken/testing'
import {
  clientAssertion,
  createTokenProvider,
  isConfigurationError,
  workloadIdentity,
  type AssertionRequest,
  type TokenProvider,
} from '../src/index.js'
import {
  federatedAssertion,
  recordingLogger,
  replaceFile,
  scratchDir,
  SECRET_LOOKING,
  writeLookalike,
} from './credentials-support.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`
const ROLES = { [TEST_API_AUDIENCE]: ['TodoList.Read.All'] }
const CLIENT_ID = '5b0c7a3e-1f2d-4c6b-8a9e-0d1f2e3a4b5c'

let authority: TestAuthority
let certA: TestCertificate
let certB: TestCertificate
const scratch = scratchDir()
const providers: TokenProvider[] = []

beforeAll(async () => {
  authority = await startTestAuthority()
  ;[certA, certB] = await Promise.all([createTestCertificate(), createTestCertificate()])
})
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  authority.reset()
})
afterAll(async () => {
  await authority.close()
  scratch.remove()
})

const track = (p: TokenProvider): TokenProvider => (providers.push(p), p)

describe('clientAssertion', () => {
  it('calls the callback only for token requests, with the exact token endpoint as audience', async () => {
    authority.registerClient({
      clientId: CLIENT_ID,
      certificates: [certA.certificate],
      rejectReplayedAssertions: true,
      roles: ROLES,
    })
    const calls: AssertionRequest[] = []
    const credential = clientAssertion(async (request) => {
      calls.push(request)
      return federatedAssertion(certA, { clientId: request.clientId, audience: request.audience })
    })
    const p = track(
      createTokenProvider({
        authorityHost: authority.authorityHost,
        tenantId: authority.tenantId,
        clientId: CLIENT_ID,
        credential,
        allowedTenants: [DEFAULT_TENANT_DOMAIN],
      }),
    )

    await p.getToken(SCOPE)
    await p.getToken(SCOPE)
    await p.getToken(SCOPE)
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({
      audience: authority.tokenEndpoint(),
      clientId: CLIENT_ID,
      tenantId: authority.tenantId,
    })
    expect(calls[0]!.signal).toBeInstanceOf(AbortSignal)

    // A per-call tenant gets its own token endpoint as audience.
    const token = await p.getToken(SCOPE, { tenantId: DEFAULT_TENANT_DOMAIN })
    expect(token.fromCache).toBe(false)
    expect(calls).toHaveLength(2)
    expect(calls[1]).toMatchObject({
      audience: authority.tokenEndpoint(DEFAULT_TENANT_DOMAIN),
      tenantId: DEFAULT_TENANT_DOMAIN,
    })
    expect(authority.tokenRequests({ clientId: CLIENT_ID }).map((r) => [r.status, r.authMethod])).toEqual([
      [200, 'private_key_jwt'],
      [200, 'private_key_jwt'],
    ])
  })

  it('reports a callback that returns nothing as a configuration error', async () => {
    const p = track(
      createTokenProvider({
        authorityHost: authority.authorityHost,
        tenantId: authority.tenantId,
        clientId: CLIENT_ID,
        credential: clientAssertion(async () => ''),
        retry: false,
      }),
    )
    const error = await p.getToken(SCOPE).catch((e: unknown) => e)
    expect(isConfigurationError(error) && error.option).toBe('clientAssertion')
    expect(authority.tokenRequests()).toHaveLength(0)
  })

  it('refuses a callback that is not a function', () => {
    expect(() => clientAssertion('eyJhbGciOi' as never)).toThrow(/not a function/)
  })
})

describe('workloadIdentity', () => {
  async function tokenFor(cert: TestCertificate): Promise<string> {
    return federatedAssertion(cert, { clientId: CLIENT_ID, audience: authority.tokenEndpoint() })
  }

  it('takes the file, client, tenant and authority from AZURE_* variables and follows the rotating token file', async () => {
    // Federated tokens are reused until the kubelet rotates them: this app does not refuse replays.
    authority.registerClient({ clientId: CLIENT_ID, certificates: [certA.certificate], roles: ROLES })
    const file = scratch.path('azure-identity-token')
    writeFileSync(file, await tokenFor(certA))
    const env = {
      AZURE_FEDERATED_TOKEN_FILE: file,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_TENANT_ID: authority.tenantId,
      AZURE_AUTHORITY_HOST: authority.authorityHost,
    }
    const logger = recordingLogger()
    const p = track(createTokenProvider({ credential: workloadIdentity({ env }), logger }))

    expect(p.clientId).toBe(CLIENT_ID)
    expect(p.tenantId).toBe(authority.tenantId)
    await p.getToken(SCOPE)
    await p.getToken(SCOPE)

    // The kubelet swaps in a new token; only the new signer is trusted from now on.
    replaceFile(file, await tokenFor(certB))
    authority.registerClient({ clientId: CLIENT_ID, certificates: [certB.certificate], roles: ROLES })
    const rotated = await p.getToken(SCOPE, { forceRefresh: true })

    expect(rotated.fromCache).toBe(false)
    expect(authority.tokenRequests({ clientId: CLIENT_ID }).map((r) => r.status)).toEqual([200, 200])
    expect(logger.text()).not.toMatch(SECRET_LOOKING)
  })

  it('re-reads the token file after a rejection when stat() shows no change', async () => {
    authority.registerClient({ clientId: CLIENT_ID, certificates: [certA.certificate], roles: ROLES })
    const file = scratch.path('lookalike-token')
    writeLookalike(file, await tokenFor(certA), 4096)
    const p = track(
      createTokenProvider({
        credential: workloadIdentity({
          tokenFilePath: file,
          clientId: CLIENT_ID,
          tenantId: authority.tenantId,
          authorityHost: authority.authorityHost,
        }),
      }),
    )
    await p.getToken(SCOPE)

    writeLookalike(file, await tokenFor(certB), 4096)
    authority.registerClient({ clientId: CLIENT_ID, certificates: [certB.certificate], roles: ROLES })
    await p.getToken(SCOPE, { forceRefresh: true })
    expect(authority.tokenRequests({ clientId: CLIENT_ID }).map((r) => r.status)).toEqual([200, 401, 200])
  })
})
