import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestCertificate,
  startProtectedApi,
  startTestAuthority,
  TEST_API_AUDIENCE,
  useTestApis,
} from '@apptoken/testing'
import { apptoken, azureEnv, doctor, scratch } from './support.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`
const ROLELESS_APP = '0b7e4c1d-5a2f-4e8b-9c3d-6f1a2b3c4d5e'
const CERT_APP = '1c8f5d2e-6b3a-4f9c-8d4e-7a2b3c4d5e6f'
const SOON_APP = '2d9a6e3f-7c4b-4a1d-9e5f-8b3c4d5e6f7a'

const s = useTestApis({ beforeAll, afterAll })
let files: ReturnType<typeof scratch>
let env: Record<string, string>
let unregisteredPem: string
let soonPem: string

beforeAll(async () => {
  const { authority } = s
  files = scratch()
  env = azureEnv(authority)
  const [registered, unregistered, soon] = await Promise.all([
    createTestCertificate(),
    createTestCertificate(),
    createTestCertificate({ days: 10 }),
  ])
  authority.registerClient({ clientId: ROLELESS_APP, secret: 'roleless-app-secret', roles: {} })
  authority.registerClient({
    clientId: CERT_APP,
    certificates: [registered.certificate],
    roles: { [TEST_API_AUDIENCE]: ['TodoList.Read.All'] },
  })
  authority.registerClient({
    clientId: SOON_APP,
    certificates: [soon.certificate],
    roles: { [TEST_API_AUDIENCE]: ['TodoList.Read.All'] },
  })
  unregisteredPem = files.write('unregistered.pem', unregistered.combinedPem)
  soonPem = files.write('soon.pem', soon.combinedPem)
})
afterAll(() => files.remove())

describe('apptoken doctor', () => {
  it('passes every line against a working setup, prints the checklist on stdout and never the secret', async () => {
    const run = await apptoken(['doctor', '--scope', SCOPE, '--url', `${s.api.url}/api/todolist`], env)
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n')
    expect(lines[0]).toMatch(/^✓ configuration +client_secret for app .* \(from environment\)$/)
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^✓ scope +api:\/\/apptoken-test-api with \/\.default$/),
        expect.stringMatching(/^✓ authority and tenant +tenant .* found/),
        expect.stringMatching(/^✓ clock +within \d+ s/),
        expect.stringMatching(/^✓ credential +accepted/),
        expect.stringMatching(
          /^✓ application permissions +roles TodoList\.Read\.All, TodoList\.ReadWrite\.All$/,
        ),
        expect.stringMatching(/^- certificate +not a certificate credential \(client_secret\)$/),
        expect.stringMatching(/^✓ API call +GET .* answered 200$/),
        'All checks passed.',
      ]),
    )
    expect(run.stderr).toMatch(/checking the authority/)
    expect(run.stdout + run.stderr).not.toContain(s.authority.clientSecret)
    expect(run.stdout + run.stderr).not.toMatch(/eyJ[A-Za-z0-9_-]{10}/)
  })

  it('configuration: a secret without tenant and client id is exit 2 with the fix', async () => {
    const run = await doctor([], {
      AZURE_CLIENT_SECRET: 'x',
      AZURE_AUTHORITY_HOST: s.authority.authorityHost,
    })
    expect(run.code).toBe(2)
    expect(run.byId('configuration')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/set AZURE_TENANT_ID/),
    })
  })

  it('configuration: --appsettings reads a .NET appsettings.json', async () => {
    const path = files.write(
      'appsettings.json',
      JSON.stringify({
        AzureAd: {
          Instance: `${s.authority.authorityHost}/`,
          TenantId: s.authority.tenantId,
          ClientId: s.authority.clientId,
          ClientSecret: s.authority.clientSecret,
        },
      }),
    )
    const run = await doctor(['--appsettings', path, '--scope', SCOPE], {})
    expect(run.code).toBe(0)
    expect(run.byId('configuration').detail).toMatch(/\(from appsettings\)$/)
  })

  it('authority: an unknown tenant is AADSTS90002 with the fix', async () => {
    const run = await doctor(['--scope', SCOPE], { ...env, AZURE_TENANT_ID: 'fabrikam.onmicrosoft.com' })
    expect(run.code).toBe(1)
    expect(run.byId('authority')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/AADSTS90002/),
      fix: expect.stringMatching(/tenant was not found/),
    })
    expect(run.status.credential).toBe('skip')
  })

  it('credential: a wrong secret value is AADSTS7000215 (Value, not Secret ID)', async () => {
    const run = await doctor(['--scope', SCOPE], { ...env, AZURE_CLIENT_SECRET: 'the-secret-id-not-value' })
    expect(run.code).toBe(1)
    expect(run.byId('credential')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/AADSTS7000215/),
      fix: expect.stringMatching(/Value .*not its Secret ID/),
    })
    expect(run.stdout + run.stderr).not.toContain('the-secret-id-not-value')
  })

  it('credential: an app not registered in the tenant is AADSTS700016', async () => {
    const run = await doctor(['--scope', SCOPE], {
      ...env,
      AZURE_CLIENT_ID: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
    })
    expect(run.code).toBe(1)
    expect(run.byId('credential')).toMatchObject({
      detail: expect.stringMatching(/AADSTS700016/),
      fix: expect.stringMatching(/not found in this tenant/),
    })
  })

  it('credential: a certificate not registered with the app is AADSTS700027', async () => {
    const run = await doctor(['--scope', SCOPE, '--certificate', unregisteredPem], {
      AZURE_AUTHORITY_HOST: s.authority.authorityHost,
      AZURE_TENANT_ID: s.authority.tenantId,
      AZURE_CLIENT_ID: CERT_APP,
    })
    expect(run.code).toBe(1)
    expect(run.byId('credential')).toMatchObject({
      detail: expect.stringMatching(/AADSTS700027/),
      fix: expect.stringMatching(/certificate may not be uploaded/),
    })
    expect(run.stdout).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/)
  })

  it('scope: a delegated-style scope is not resource/.default', async () => {
    const run = await doctor(['--scope', `${TEST_API_AUDIENCE}/TodoList.Read`], env)
    expect(run.code).toBe(1)
    expect(run.byId('scope')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/request api:\/\/apptoken-test-api\/\.default/),
    })
    expect(run.byId('scope').fix).toMatch(/\/\/\.default/) // the v1 double slash is explained
  })

  it('roles: a token without roles means admin consent was not granted', async () => {
    const run = await doctor(['--scope', SCOPE], {
      ...env,
      AZURE_CLIENT_ID: ROLELESS_APP,
      AZURE_CLIENT_SECRET: 'roleless-app-secret',
    })
    expect(run.code).toBe(1)
    expect(run.byId('roles')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/Grant admin consent/),
    })
  })

  it("clock: more than 5 minutes from the authority's Date header warns (exit 0)", async () => {
    const skewed = await startTestAuthority({ dateSkewSeconds: 600 })
    try {
      const run = await doctor(['--scope', SCOPE], {
        ...env,
        AZURE_AUTHORITY_HOST: skewed.authorityHost,
        AZURE_TENANT_ID: skewed.tenantId,
      })
      expect(run.code).toBe(0)
      expect(run.byId('clock')).toMatchObject({
        status: 'warn',
        detail: expect.stringMatching(/(59\d|60\d) s behind/),
        fix: expect.stringMatching(/NTP/),
      })
    } finally {
      await skewed.close()
    }
  })

  it('certificate: one that expires within 30 days warns with the rotation steps', async () => {
    const run = await doctor(['--scope', SCOPE, '--certificate', soonPem], {
      AZURE_AUTHORITY_HOST: s.authority.authorityHost,
      AZURE_TENANT_ID: s.authority.tenantId,
      AZURE_CLIENT_ID: SOON_APP,
    })
    expect(run.code).toBe(0)
    expect(run.byId('certificate')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/in 9 days/),
      fix: expect.stringMatching(/upload it to the app registration/),
    })
  })

  it("API: 401 is explained from WWW-Authenticate and the token's aud", async () => {
    const other = await startProtectedApi({ authority: s.authority, audience: 'api://another-api' })
    try {
      const run = await doctor(['--scope', SCOPE, '--url', `${other.url}/api/todolist`], env)
      expect(run.code).toBe(1)
      expect(run.byId('api')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(
          /answered 401: the API did not accept the token \(.+\); the token's aud is api:\/\/apptoken-test-api/,
        ),
        fix: expect.stringMatching(/App ID URI of the API/),
      })
    } finally {
      await other.close()
    }
  })

  it('API: 403 Authorization_RequestDenied means grant admin consent', async () => {
    const graphLike = await startProtectedApi({ authority: s.authority, requiredRoles: ['User.Read.All'] })
    try {
      const run = await doctor(['--scope', SCOPE, '--url', `${graphLike.url}/api/todolist`], env)
      expect(run.code).toBe(1)
      expect(run.byId('api')).toMatchObject({
        detail: expect.stringMatching(/403 Authorization_RequestDenied/),
        fix: expect.stringMatching(/Grant admin consent/),
      })
    } finally {
      await graphLike.close()
    }
  })

  it("API: a 403 from your own API means add app roles to the web API's registration", async () => {
    const own = await startProtectedApi({
      authority: s.authority,
      requiredRoles: ['Admin.All'],
      forbidden: 'api',
    })
    try {
      const run = await doctor(['--scope', SCOPE, '--url', `${own.url}/api/todolist`], env)
      expect(run.code).toBe(1)
      expect(run.byId('api')).toMatchObject({
        detail: expect.stringMatching(/your API refused the token's roles/),
        fix: expect.stringMatching(/add app roles .* web API's app registration/),
      })
    } finally {
      await own.close()
    }
  })
})
