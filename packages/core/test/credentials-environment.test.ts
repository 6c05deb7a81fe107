import { writeFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestCertificate,
  encryptPrivateKey,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type TestAuthority,
  type TestCertificate,
} from '@apptoken/testing'
import {
  createTokenProvider,
  fromAppSettings,
  fromEnvironment,
  isConfigurationError,
  type ConfigurationError,
  type Credential,
  type TokenProvider,
} from '../src/index.js'
import {
  derBase64,
  federatedAssertion,
  jwt,
  scratchDir,
  SECRET_LOOKING,
  spyOn,
} from './credentials-support.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`
const ROLES = { [TEST_API_AUDIENCE]: ['TodoList.Read.All'] }
const CERT_APP = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'

let authority: TestAuthority
let certA: TestCertificate
let certB: TestCertificate
const scratch = scratchDir()
const providers: TokenProvider[] = []

beforeAll(async () => {
  authority = await startTestAuthority()
  ;[certA, certB] = await Promise.all([createTestCertificate(), createTestCertificate()])
  authority.registerClient({
    clientId: CERT_APP,
    certificates: [certB.certificate],
    rejectReplayedAssertions: true,
    roles: ROLES,
  })
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

function configError(create: () => unknown, secrets: string[] = []): ConfigurationError {
  let caught: unknown
  try {
    create()
  } catch (error) {
    caught = error
  }
  expect(isConfigurationError(caught), `expected a ConfigurationError, got ${String(caught)}`).toBe(true)
  const message = (caught as Error).message
  expect(message).not.toMatch(SECRET_LOOKING)
  for (const secret of secrets) expect(message).not.toContain(secret)
  return caught as ConfigurationError
}

describe('fromEnvironment', () => {
  it('picks a client secret and takes the ids and authority host from the environment', async () => {
    const env = {
      AZURE_CLIENT_SECRET: authority.clientSecret,
      AZURE_CLIENT_ID: authority.clientId,
      AZURE_TENANT_ID: authority.tenantId,
      AZURE_AUTHORITY_HOST: authority.authorityHost,
    }
    const credential = fromEnvironment(env)
    expect(credential.kind).toBe('client_secret')
    await track(createTokenProvider({ credential })).getToken(SCOPE)
    expect(authority.tokenRequests().map((r) => [r.authMethod, r.status])).toEqual([
      ['client_secret_post', 200],
    ])
  })

  it('picks a certificate file with its password and the chain option', async () => {
    const file = scratch.path('env-cert.pem')
    writeFileSync(file, encryptPrivateKey(certB.privateKey, 'env-password') + certB.certificate)
    const env = {
      AZURE_CLIENT_CERTIFICATE_PATH: file,
      AZURE_CLIENT_CERTIFICATE_PASSWORD: 'env-password',
      AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: 'true',
      AZURE_CLIENT_ID: CERT_APP,
      AZURE_TENANT_ID: authority.tenantId,
      AZURE_AUTHORITY_HOST: authority.authorityHost,
    }
    const spy = spyOn(fromEnvironment(env))
    expect(spy.credential.kind).toBe('client_certificate')
    await track(createTokenProvider({ credential: spy.credential })).getToken(SCOPE)
    expect(jwt(spy.assertions[0]!).header.x5c).toEqual([derBase64(certB.certificate)])
    expect(authority.tokenRequests().map((r) => r.status)).toEqual([200])
  })

  it('picks workload identity from AZURE_FEDERATED_TOKEN_FILE', async () => {
    const file = scratch.path('env-token')
    writeFileSync(
      file,
      await federatedAssertion(certB, { clientId: CERT_APP, audience: authority.tokenEndpoint() }),
    )
    const credential = fromEnvironment({
      AZURE_FEDERATED_TOKEN_FILE: file,
      AZURE_CLIENT_ID: CERT_APP,
      AZURE_TENANT_ID: authority.tenantId,
      AZURE_AUTHORITY_HOST: authority.authorityHost,
    })
    expect(credential.kind).toBe('workload_identity')
    await track(createTokenProvider({ credential })).getToken(SCOPE)
    expect(authority.tokenRequests().map((r) => [r.authMethod, r.status])).toEqual([['private_key_jwt', 200]])
  })

  it('falls back to managed identity, user-assigned when AZURE_CLIENT_ID is set', async () => {
    const credential = fromEnvironment({
      AZURE_CLIENT_ID: '99999999-8888-7777-6666-555555555555',
      IMDS_ENDPOINT: authority.authorityHost,
    })
    expect(credential.kind).toBe('managed_identity')
    await track(createTokenProvider({ credential })).getToken(SCOPE)
    expect(authority.tokenRequests().map((r) => [r.kind, r.form.client_id])).toEqual([
      ['imds', '99999999-8888-7777-6666-555555555555'],
    ])
    expect(fromEnvironment({ IMDS_ENDPOINT: authority.authorityHost }).kind).toBe('managed_identity')
  })

  it('lists exactly the variables that are missing, never the secret', () => {
    const both = configError(
      () => fromEnvironment({ AZURE_CLIENT_SECRET: 'S3cret~Value.123' }),
      ['S3cret~Value.123'],
    )
    expect(both.option).toBe('AZURE_TENANT_ID, AZURE_CLIENT_ID')
    expect(both.message).toMatch(
      /AZURE_CLIENT_SECRET is set, but AZURE_TENANT_ID and AZURE_CLIENT_ID are not/,
    )
    const tenant = configError(() =>
      fromEnvironment({
        AZURE_CLIENT_SECRET: 'S3cret~Value.123',
        AZURE_CLIENT_ID: 'x',
        AZURE_TENANT_ID: ' ',
      }),
    )
    expect(tenant.option).toBe('AZURE_TENANT_ID')
    expect(tenant.message).toMatch(/AZURE_TENANT_ID is not/)
    const cert = configError(() =>
      fromEnvironment({ AZURE_CLIENT_CERTIFICATE_PATH: '/x.pem', AZURE_TENANT_ID: 't' }),
    )
    expect(cert.option).toBe('AZURE_CLIENT_ID')
    expect(configError(() => fromEnvironment({ AZURE_FEDERATED_TOKEN_FILE: '/t' })).option).toBe(
      'AZURE_TENANT_ID, AZURE_CLIENT_ID',
    )
  })

  it('names AZURE_CLIENT_CERTIFICATE_PATH and _PASSWORD in certificate errors', () => {
    const file = scratch.path('env-encrypted.pem')
    writeFileSync(file, encryptPrivateKey(certA.privateKey, 'right') + certA.certificate)
    const ids = { AZURE_CLIENT_ID: 'c', AZURE_TENANT_ID: 't' }
    expect(
      configError(() =>
        fromEnvironment({ ...ids, AZURE_CLIENT_CERTIFICATE_PATH: scratch.path('absent.pem') }),
      ).option,
    ).toBe('AZURE_CLIENT_CERTIFICATE_PATH')
    expect(
      configError(
        () =>
          fromEnvironment({
            ...ids,
            AZURE_CLIENT_CERTIFICATE_PATH: file,
            AZURE_CLIENT_CERTIFICATE_PASSWORD: 'wrong',
          }),
        ['wrong'],
      ).option,
    ).toBe('AZURE_CLIENT_CERTIFICATE_PASSWORD')
  })
})

describe('fromAppSettings', () => {
  function settingsFile(name: string, azureAd: Record<string, unknown>, comment = true): string {
    const file = scratch.path(name)
    const json = JSON.stringify(
      { Logging: { LogLevel: { Default: 'Information' } }, AzureAd: azureAd },
      null,
      2,
    )
    // .NET accepts comments and trailing commas in appsettings.json.
    writeFileSync(
      file,
      comment
        ? `// daemon settings\n${json.replace('"Logging"', '/* copied from the .NET app */ "Logging"').replace(/\n}$/, ',\n}')}`
        : json,
    )
    return file
  }

  async function tokenWith(config: {
    tenantId: string
    clientId: string
    authorityHost: string
    credential: Credential
  }): Promise<void> {
    await track(createTokenProvider({ ...config })).getToken(SCOPE)
  }

  it('reads Instance, TenantId, ClientId and a certificate Path relative to the settings file', async () => {
    writeFileSync(scratch.path('app-cert.pem'), certB.combinedPem)
    const file = settingsFile('appsettings.json', {
      Instance: `${authority.authorityHost}/`,
      TenantId: authority.tenantId,
      ClientId: CERT_APP,
      ClientCredentials: [{ SourceType: 'Path', CertificateDiskPath: 'app-cert.pem' }],
    })
    const config = fromAppSettings(file)
    expect(config).toMatchObject({
      tenantId: authority.tenantId,
      clientId: CERT_APP,
      authorityHost: authority.authorityHost,
    })
    expect(config.credential.kind).toBe('client_certificate')
    await tokenWith(config)
    expect(authority.tokenRequests().map((r) => [r.authMethod, r.status])).toEqual([['private_key_jwt', 200]])
  })

  it('reads a ClientSecret, from JSON text or an object, with keys in any case and Authority instead of Instance', async () => {
    const text = JSON.stringify({
      AzureAd: {
        instance: authority.authorityHost,
        tenantid: authority.tenantId,
        clientId: authority.clientId,
        ClientSecret: authority.clientSecret,
      },
    })
    await tokenWith(fromAppSettings(text))
    const object = {
      Auth: {
        Daemon: {
          Authority: `${authority.authorityHost}/${authority.tenantId}/v2.0`,
          ClientId: authority.clientId,
          ClientCredentials: [{ SourceType: 'ClientSecret', ClientSecret: authority.clientSecret }],
        },
      },
    }
    const config = fromAppSettings(object, { section: 'Auth:Daemon' })
    expect(config.tenantId).toBe(authority.tenantId)
    await tokenWith(config)
    expect(authority.tokenRequests().map((r) => [r.authMethod, r.status])).toEqual([
      ['client_secret_post', 200],
      ['client_secret_post', 200],
    ])
  })

  it('turns several ClientCredentials into a rotation list: a rejected certificate hands over to the next', async () => {
    const file = settingsFile('rotation.json', {
      Instance: authority.authorityHost,
      TenantId: authority.tenantId,
      ClientId: CERT_APP,
      SendX5C: true,
      ClientCredentials: [
        {
          SourceType: 'Base64Encoded',
          Base64EncodedValue: Buffer.from(certA.combinedPem).toString('base64'),
        },
        {
          SourceType: 'Base64Encoded',
          Base64EncodedValue: Buffer.from(
            encryptPrivateKey(certB.privateKey, 'pfx-pass') + certB.certificate,
          ).toString('base64'),
          CertificatePassword: 'pfx-pass',
        },
      ],
    })
    await tokenWith(fromAppSettings(file))
    expect(authority.tokenRequests().map((r) => r.status)).toEqual([401, 200])
  })

  it('reads SignedAssertionFilePath, defaulting to AZURE_FEDERATED_TOKEN_FILE', async () => {
    const tokenFile = scratch.path('signed-assertion')
    writeFileSync(
      tokenFile,
      await federatedAssertion(certB, { clientId: CERT_APP, audience: authority.tokenEndpoint() }),
    )
    const azureAd = { Instance: authority.authorityHost, TenantId: authority.tenantId, ClientId: CERT_APP }
    await tokenWith(
      fromAppSettings({
        AzureAd: {
          ...azureAd,
          ClientCredentials: [
            { SourceType: 'SignedAssertionFilePath', SignedAssertionFileDiskPath: tokenFile },
          ],
        },
      }),
    )
    // This app refuses replayed assertions: the second run gets a new one, as after a rotation.
    writeFileSync(
      tokenFile,
      await federatedAssertion(certB, { clientId: CERT_APP, audience: authority.tokenEndpoint() }),
    )
    await tokenWith(
      fromAppSettings(
        { AzureAd: { ...azureAd, ClientCredentials: [{ SourceType: 'SignedAssertionFilePath' }] } },
        { env: { AZURE_FEDERATED_TOKEN_FILE: tokenFile } },
      ),
    )
    expect(authority.tokenRequests().map((r) => r.status)).toEqual([200, 200])
  })

  it('uses a managed identity token as the assertion for SignedAssertionFromManagedIdentity', async () => {
    const config = fromAppSettings(
      {
        AzureAd: {
          Instance: authority.authorityHost,
          TenantId: authority.tenantId,
          ClientId: CERT_APP,
          ClientCredentials: [
            { SourceType: 'SignedAssertionFromManagedIdentity', ManagedIdentityClientId: 'mi-client' },
          ],
        },
      },
      { env: { IMDS_ENDPOINT: authority.authorityHost } },
    )
    // The stand-in authority does not trust managed identity tokens as assertions; the exchange request is what matters.
    await track(createTokenProvider({ ...config, retry: false }))
      .getToken(SCOPE)
      .catch(() => undefined)
    const [mi, token] = authority.tokenRequests()
    expect(mi).toMatchObject({ kind: 'imds', status: 200 })
    expect(mi!.form).toMatchObject({ resource: 'api://AzureADTokenExchange', client_id: 'mi-client' })
    expect(token).toMatchObject({ kind: 'token', authMethod: 'private_key_jwt' })
  })

  it('names the exact setting that is wrong, without quoting secrets', () => {
    const base = {
      Instance: 'https://login.microsoftonline.com/',
      TenantId: 'contoso.onmicrosoft.com',
      ClientId: 'c',
    }
    expect(configError(() => fromAppSettings({ AzureAd: { TenantId: 't', ClientSecret: 's' } })).option).toBe(
      'AzureAd.ClientId',
    )
    expect(configError(() => fromAppSettings({ AzureAd: { ClientId: 'c', ClientSecret: 's' } })).option).toBe(
      'AzureAd.TenantId',
    )
    expect(configError(() => fromAppSettings({ AzureAd: base })).option).toBe('AzureAd.ClientCredentials')
    expect(configError(() => fromAppSettings({ Other: {} })).option).toBe('AzureAd')
    expect(
      configError(() =>
        fromAppSettings({ AzureAd: { ...base, ClientCredentials: [{ SourceType: 'Path' }] } }),
      ).option,
    ).toBe('AzureAd.ClientCredentials[0].CertificateDiskPath')
    const pfx = configError(() =>
      fromAppSettings({
        AzureAd: {
          ...base,
          ClientCredentials: [
            { SourceType: 'ClientSecret', ClientSecret: 'x' },
            { SourceType: 'Path', CertificateDiskPath: 'cert.pfx' },
          ],
        },
      }),
    )
    expect(pfx.option).toBe('AzureAd.ClientCredentials[1].CertificateDiskPath')
    expect(pfx.fix).toMatch(/openssl pkcs12/)
    const der = configError(() =>
      fromAppSettings({
        AzureAd: {
          ...base,
          ClientCredentials: [
            {
              SourceType: 'Base64Encoded',
              Base64EncodedValue: Buffer.from([0x30, 0x82, 1, 2]).toString('base64'),
            },
          ],
        },
      }),
    )
    expect(der.option).toBe('AzureAd.ClientCredentials[0].Base64EncodedValue')
    const vault = configError(() =>
      fromAppSettings({
        AzureAd: {
          ...base,
          ClientCredentials: [
            { SourceType: 'KeyVault', KeyVaultUrl: 'https://v', KeyVaultCertificateName: 'c' },
          ],
        },
      }),
    )
    expect(vault.option).toBe('AzureAd.ClientCredentials[0].SourceType')
    expect(vault.message).toMatch(/"KeyVault" is not supported/)
    const wrongKey = configError(() =>
      fromAppSettings({
        AzureAd: {
          ...base,
          ClientCredentials: [
            {
              SourceType: 'Base64Encoded',
              Base64EncodedValue: Buffer.from(certA.certificate + certB.privateKey).toString('base64'),
            },
          ],
        },
      }),
    )
    expect(wrongKey.option).toBe('AzureAd.ClientCredentials[0].Base64EncodedValue')
    expect(
      configError(() => fromAppSettings('{ "AzureAd": { "ClientSecret": "Hunter2~Secret", } ')).message,
    ).not.toContain('Hunter2')
    expect(configError(() => fromAppSettings(scratch.path('missing.json'))).option).toBe('appsettings')
  })
})
