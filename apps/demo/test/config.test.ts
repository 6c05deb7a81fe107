import { readFileSync, rmSync } from 'node:fs'
import { isConfigurationError } from '@apptoken/core'
import { createTestCertificate } from '@apptoken/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { authorityHostOf, loadConfig } from '../src/config.js'
import { settingMessage } from '../src/setting-errors.js'
import { tenantTarget } from '../src/target.js'
import { tempDir, writeSettings } from './support.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const TENANT = '4f1a6c2e-9b3d-4e7a-8c5f-2d6b0e9a7c31'
const CLIENT = '8d2e5f7a-1c4b-4a9e-b6d3-5e0f2a8c9b14'
const SAMPLE = {
  AzureAd: {
    Instance: 'https://login.microsoftonline.com/',
    TenantId: TENANT,
    ClientId: CLIENT,
    ClientSecret: 'file-secret',
  },
  MyWebApi: {
    BaseUrl: 'https://localhost:44372/',
    RelativePath: 'api/TodoList',
    RequestAppToken: true,
    Scopes: ['api://todo/.default'],
  },
}

function load(settings: unknown, env: Record<string, string> = {}, forceOffline = false) {
  const cwd = tempDir()
  dirs.push(cwd)
  if (settings !== undefined) writeSettings(cwd, settings)
  return loadConfig({ configPath: undefined, env, cwd, forceOffline })
}

function messageOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (isConfigurationError(error)) return settingMessage(error)
    throw error
  }
  throw new Error('expected a ConfigurationError')
}

describe('loadConfig', () => {
  it('is offline with nothing configured', () => {
    const config = load(undefined)
    expect(config).toMatchObject({ file: undefined, tenant: undefined, offlineSecret: undefined })
  })

  it('reads the daemon sample shape and targets the tenant, real Graph and the API', () => {
    const config = load(SAMPLE)
    const target = tenantTarget(config, config.tenant!)
    expect(target).toMatchObject({
      kind: 'tenant',
      authorityHost: 'https://login.microsoftonline.com',
      tenantId: TENANT,
      clientId: CLIENT,
      api: {
        baseUrl: 'https://localhost:44372/',
        relativePath: 'api/TodoList',
        scopes: ['api://todo/.default'],
      },
      graph: { baseUrl: 'https://graph.microsoft.com/v1.0', scopes: undefined },
    })
    expect(target.credential.kind).toBe('client_secret')
    expect(target.settings).toMatchObject({
      tenantId: 'AzureAd.TenantId',
      credential: 'AzureAd.ClientSecret',
      apiScopes: 'MyWebApi.Scopes',
    })
  })

  it('lets AZURE_* and Section__Key variables override the file, and remembers where each value came from', () => {
    const config = load(SAMPLE, {
      AZURE_TENANT_ID: 'contoso.onmicrosoft.com',
      AZURE_CLIENT_SECRET: 'env-secret',
      MyWebApi__BaseUrl: 'https://api.contoso.com',
      AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us',
    })
    const target = tenantTarget(config, config.tenant!)
    expect(target).toMatchObject({
      tenantId: 'contoso.onmicrosoft.com',
      authorityHost: 'https://login.microsoftonline.us',
      api: { baseUrl: 'https://api.contoso.com/' },
    })
    // Graph follows the cloud of the authority.
    expect(target.graph.baseUrl).toBe('https://graph.microsoft.us/v1.0')
    expect(target.settings).toMatchObject({
      tenantId: 'AZURE_TENANT_ID',
      credential: 'AZURE_CLIENT_SECRET',
      apiBaseUrl: 'MyWebApi__BaseUrl',
      authorityHost: 'AZURE_AUTHORITY_HOST',
    })
  })

  it('takes Microsoft.Identity.Web ClientCredentials through core (case-insensitive keys, as .NET)', () => {
    const config = load({
      azuread: {
        tenantid: TENANT,
        clientid: CLIENT,
        ClientCredentials: [{ SourceType: 'ClientSecret', ClientSecret: 's' }],
      },
      MyWebApi: SAMPLE.MyWebApi,
    })
    expect(config.tenant?.credential.name).toBe('AzureAd.ClientCredentials')
    expect(config.tenant?.credential.value.kind).toBe('client_secret')
  })

  it("reports a ClientCredentials mistake with core's setting name", () => {
    const settings = {
      AzureAd: {
        TenantId: TENANT,
        ClientId: CLIENT,
        ClientCredentials: [{ SourceType: 'StoreWithThumbprint' }],
      },
      MyWebApi: SAMPLE.MyWebApi,
    }
    expect(messageOf(() => load(settings))).toMatch(
      /^AzureAd\.ClientCredentials\[0\]\.SourceType: "StoreWithThumbprint" is not supported by apptoken\. Fix: /,
    )
  })

  it('reads the tenant from "Authority" when there is no Instance', () => {
    const config = load({
      ...SAMPLE,
      AzureAd: {
        Authority: `https://login.microsoftonline.com/${TENANT}/v2.0`,
        ClientId: CLIENT,
        ClientSecret: 's',
      },
    })
    expect(tenantTarget(config, config.tenant!)).toMatchObject({
      authorityHost: 'https://login.microsoftonline.com',
      tenantId: TENANT,
    })
  })

  it('offline: keeps a secret without a tenant, to show what a wrong one does', () => {
    expect(load(undefined, { AZURE_CLIENT_SECRET: 'x' }).offlineSecret).toEqual({
      value: 'x',
      name: 'AZURE_CLIENT_SECRET',
    })
    expect(load({ AzureAd: { ClientSecret: 'y' } }).offlineSecret).toEqual({
      value: 'y',
      name: 'AzureAd.ClientSecret',
    })
  })

  it('--offline ignores a configured tenant', () => {
    expect(load(SAMPLE, {}, true).tenant).toBeUndefined()
  })

  it('names the missing piece of a half-configured tenant', () => {
    expect(messageOf(() => load({ AzureAd: { TenantId: TENANT } }))).toMatch(
      /^AzureAd\.ClientId: AzureAd\.TenantId is set but the client ID is not/,
    )
    expect(messageOf(() => load({ ...SAMPLE, AzureAd: { TenantId: TENANT, ClientId: CLIENT } }))).toMatch(
      /^AzureAd\.ClientSecret: no credential is configured for the app/,
    )
    expect(messageOf(() => load({ AzureAd: SAMPLE.AzureAd }))).toBe(
      'MyWebApi.BaseUrl: it is missing. Fix: set the base URL of the web API, e.g. https://localhost:44372/',
    )
  })

  it('rejects values of the wrong type', () => {
    expect(messageOf(() => load({ MyWebApi: { Scopes: [42] } }))).toMatch(
      /^MyWebApi\.Scopes: it is \[42\], not a list of strings/,
    )
    expect(messageOf(() => load({ AzureAd: 'tenant' }))).toMatch(/^AzureAd: it is not an object/)
  })
})

describe('authorityHostOf', () => {
  it('accepts the Instance forms of the samples', () => {
    expect(authorityHostOf('https://login.microsoftonline.com/')).toBe('https://login.microsoftonline.com')
    expect(authorityHostOf('https://login.microsoftonline.com/{0}')).toBe('https://login.microsoftonline.com')
  })
})

describe('the README', () => {
  const example =
    /```jsonc\n([\s\S]+?)```/.exec(readFileSync(new URL('../README.md', import.meta.url), 'utf8'))?.[1] ?? ''

  it('configuration example is read as documented (a relative certificate path is next to the file)', async () => {
    const cwd = tempDir()
    dirs.push(cwd)
    const cert = await createTestCertificate()
    writeSettings(cwd, cert.combinedPem, 'daemon.pem')
    writeSettings(cwd, example.replace('/etc/secrets/daemon.pem', 'daemon.pem'))
    const config = loadConfig({ configPath: undefined, env: {}, cwd, forceOffline: false })
    expect(config.tenant).toMatchObject({
      tenantId: { value: 'contoso.onmicrosoft.com', name: 'AzureAd.TenantId' },
      credential: { name: 'AzureAd.ClientCredentials' },
    })
    expect(config.tenant?.credential.value.kind).toBe('client_certificate')
    expect(tenantTarget(config, config.tenant!).graph.baseUrl).toBe('https://graph.microsoft.com/v1.0')
  })

  it("a certificate file that is not there is reported at start-up, with core's setting name", () => {
    expect(messageOf(() => load(example))).toBe(
      'AzureAd.ClientCredentials[0].CertificateDiskPath: cannot read the certificate file /etc/secrets/daemon.pem: it does not exist. Fix: pass the path of a readable PEM file holding the private key and the certificate',
    )
  })
})
