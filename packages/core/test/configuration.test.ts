import { describe, expect, it } from 'vitest'
import { ConfigurationError, clientSecret, createTokenProvider, defaultScope, isConfigurationError, memoryCache, type TokenProviderOptions } from '../src/index.js'

const base = { tenantId: 'contoso.onmicrosoft.com', clientId: '00000000-0000-0000-0000-000000000001', credential: clientSecret('s3cret-value') }
const attempt = (options: Partial<TokenProviderOptions>) => {
  try {
    createTokenProvider({ ...base, ...options })
  } catch (e) {
    return e
  }
  return undefined
}

describe('createTokenProvider validates every option', () => {
  it.each([
    [{ tenantId: undefined }, 'tenantId', 'directory (tenant) ID'],
    [{ tenantId: 'not a tenant!' }, 'tenantId', 'GUID'],
    [{ tenantId: 'common' }, 'tenantId', 'per call'],
    [{ tenantId: 'organizations' }, 'tenantId', 'one specific tenant'],
    [{ clientId: '' }, 'clientId', 'Application (client) ID'],
    [{ credential: undefined }, 'credential', 'clientSecret('],
    [{ authorityHost: 'http://login.example.com' }, 'authorityHost', 'use https'],
    [{ authorityHost: 'not a url' }, 'authorityHost', 'full https URL'],
    [{ tokenEndpoint: 'https://a/token', issuer: 'https://a' }, 'issuer', 'pass one'],
    [{ timeoutMs: -1 }, 'timeoutMs', 'milliseconds'],
    [{ retry: { maxRetries: -1 } }, 'retry.maxRetries', 'default'],
    [{ allowedTenants: ['common'] }, 'allowedTenants', 'tenant'],
    [{ clientCapabilities: [''] }, 'clientCapabilities', "['cp1']"],
  ])('%o → ConfigurationError on %s', (options, option, fix) => {
    const error = attempt(options as Partial<TokenProviderOptions>)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect(error).toMatchObject({ code: 'ERR_CONFIGURATION', option })
    expect((error as Error).message).toContain(fix)
  })

  it('accepts http only for loopback test authorities', () => {
    expect(attempt({ authorityHost: 'http://127.0.0.1:8080' })).toBeUndefined()
    expect(attempt({ authorityHost: 'http://localhost:8080/' })).toBeUndefined()
  })

  it('rejects an empty secret at once', () => {
    expect(() => clientSecret('')).toThrow(/client secret is empty/)
    expect(() => clientSecret('  ')).toThrow(ConfigurationError)
  })

  it('rejects a bad memoryCache size', () => {
    expect(() => memoryCache({ maxEntries: 0 })).toThrow(/positive integer/)
  })
})

describe('scopes', () => {
  const provider = createTokenProvider({ ...base, authorityHost: 'http://127.0.0.1:1' })
  const scopeError = async (scopes: string | string[]) => {
    const e = await provider.getToken(scopes).catch((x: unknown) => x)
    expect(isConfigurationError(e)).toBe(true)
    return (e as Error).message
  }

  it('builds the /.default scope, keeping a v1 trailing slash', () => {
    expect(defaultScope('https://graph.microsoft.com')).toBe('https://graph.microsoft.com/.default')
    expect(defaultScope('https://database.windows.net/')).toBe('https://database.windows.net//.default')
    expect(defaultScope('api://my-api/.default')).toBe('api://my-api/.default')
    expect(() => defaultScope(' ')).toThrow(ConfigurationError)
  })

  it('shows the corrected scope for a bare resource', async () => {
    expect(await scopeError('https://graph.microsoft.com')).toContain('use "https://graph.microsoft.com/.default"')
    expect(await scopeError('api://my-api')).toContain('use "api://my-api/.default"')
    expect(await scopeError('https://database.windows.net/')).toContain('use "https://database.windows.net//.default"')
  })

  it('explains that delegated permissions are not for daemons', async () => {
    const message = await scopeError('User.Read')
    expect(message).toContain('application permissions')
    expect(message).toContain('use "https://graph.microsoft.com/.default"')
    expect(await scopeError('https://graph.microsoft.com/User.Read.All')).toContain('use "https://graph.microsoft.com/.default"')
  })

  it('refuses two resources in one request', async () => {
    const message = await scopeError(['https://graph.microsoft.com/.default', 'api://my-api/.default'])
    expect(message).toContain('one resource')
    expect(message).toContain('"api://my-api/.default"')
  })

  it('refuses an empty scope', async () => {
    expect(await scopeError('')).toContain('no scope')
  })
})
