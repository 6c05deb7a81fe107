import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  MANAGED_IDENTITY_CLIENT_ID,
  startManagedIdentityEndpoint,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type ManagedIdentityEndpoint,
  type ManagedIdentitySourceName,
  type TestAuthority,
} from '@apptoken/testing'
import {
  createTokenProvider,
  isApptokenError,
  isConfigurationError,
  isTokenRequestError,
  managedIdentity,
  type ManagedIdentityOptions,
  type TokenProvider,
} from '../src/index.js'
import { fakeClock, recordingLogger } from './credentials-support.js'

// Every endpoint here is a 127.0.0.1 emulation: the env of each test is its own, never process.env.
const SCOPE = `${TEST_API_AUDIENCE}/.default`
const SOURCES: readonly ManagedIdentitySourceName[] = [
  'imds',
  'appService',
  'azureArc',
  'serviceFabric',
  'cloudShell',
  'machineLearning',
]

let authority: TestAuthority
const endpoints = new Map<ManagedIdentitySourceName, ManagedIdentityEndpoint>()
const providers: TokenProvider[] = []

beforeAll(async () => {
  authority = await startTestAuthority()
  for (const source of SOURCES)
    endpoints.set(source, await startManagedIdentityEndpoint({ source, authority }))
})
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  for (const e of endpoints.values()) e.reset()
})
afterAll(async () => {
  await Promise.all([...endpoints.values()].map((e) => e.close()))
  await authority.close()
})

const endpoint = (source: ManagedIdentitySourceName): ManagedIdentityEndpoint => endpoints.get(source)!
/** Options pointing at a source's emulation: its variables, and Arc's token directory. */
const at = (
  source: ManagedIdentitySourceName,
  extra: ManagedIdentityOptions = {},
): ManagedIdentityOptions => ({
  env: endpoint(source).env,
  arcKeyDirectory: endpoint(source).arcKeyDirectory!,
  ...extra,
})
function provider(options: ManagedIdentityOptions, clock = fakeClock()): TokenProvider {
  const p = createTokenProvider({ credential: managedIdentity(options), clock, logger: recordingLogger() })
  providers.push(p)
  return p
}
const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  )

describe('each source end to end', () => {
  it.each(SOURCES)('%s: found from its variables, gets a token the API would accept', async (source) => {
    const credential = managedIdentity(at(source))
    expect(credential.source).toBe(source)
    const p = createTokenProvider({ credential })
    providers.push(p)
    const token = await p.getToken(SCOPE)
    expect(decodeJwt(token.accessToken)).toMatchObject({
      aud: TEST_API_AUDIENCE,
      appid: MANAGED_IDENTITY_CLIENT_ID,
    })
    expect((await p.getToken(SCOPE)).fromCache).toBe(true)
    const served = endpoint(source).requests.filter((r) => r.status === 200)
    expect(served).toHaveLength(1)
    expect(served[0]!.query.resource).toBe(TEST_API_AUDIENCE)
  })

  it.each(SOURCES)('%s: chosen by source, whatever else the environment says', async (source) => {
    // IDENTITY_ENDPOINT + IDENTITY_HEADER alone would mean App Service; `source` decides.
    const decoy = { IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token', IDENTITY_HEADER: 'decoy-header' }
    const env = { ...decoy, ...endpoint(source).env }
    const credential = managedIdentity({ source, env, arcKeyDirectory: endpoint(source).arcKeyDirectory! })
    expect(credential.source).toBe(source)
    await provider({ source, env, arcKeyDirectory: endpoint(source).arcKeyDirectory! }).getToken(SCOPE)
    expect(endpoint(source).requests.at(-1)!.status).toBe(200)
  })

  it('detects in msal-node order: Service Fabric, App Service, Azure ML, Cloud Shell, Azure Arc, IMDS', () => {
    const all = { ...endpoint('azureArc').env, ...endpoint('cloudShell').env }
    expect(managedIdentity({ env: all }).source).toBe('cloudShell')
    expect(managedIdentity({ env: { ...all, ...endpoint('machineLearning').env } }).source).toBe(
      'machineLearning',
    )
    expect(managedIdentity({ env: { ...all, ...endpoint('appService').env } }).source).toBe('appService')
    expect(managedIdentity({ env: { ...all, ...endpoint('serviceFabric').env } }).source).toBe(
      'serviceFabric',
    )
    expect(managedIdentity({ env: endpoint('azureArc').env }).source).toBe('azureArc')
    expect(managedIdentity({ env: { IMDS_ENDPOINT: 'http://127.0.0.1:9' } }).source).toBe('imds')
  })

  it('sends each source its own request shape', async () => {
    for (const source of SOURCES) await provider(at(source)).getToken(SCOPE)
    const last = (s: ManagedIdentitySourceName) => endpoint(s).requests.at(-1)!
    expect(last('imds')).toMatchObject({ method: 'GET', query: { 'api-version': '2018-02-01' } })
    expect(last('imds').headers.metadata).toBe('true')
    expect(last('appService').query['api-version']).toBe('2019-08-01')
    expect(last('appService').headers['x-identity-header']).toBe('[redacted]')
    expect(last('serviceFabric').query['api-version']).toBe('2019-07-01-preview')
    expect(last('serviceFabric').headers.secret).toBe('[redacted]')
    expect(last('azureArc').query['api-version']).toBe('2019-11-01')
    expect(last('azureArc').headers.authorization).toBe('[redacted]')
    expect(endpoint('azureArc').requests.map((r) => r.status)).toEqual([401, 200])
    expect(last('machineLearning')).toMatchObject({
      method: 'GET',
      query: { 'api-version': '2017-09-01', clientid: MANAGED_IDENTITY_CLIENT_ID },
    })
    expect(last('machineLearning').headers.secret).toBe('[redacted]')
    expect(last('cloudShell')).toMatchObject({ method: 'POST', query: { resource: TEST_API_AUDIENCE } })
    expect(last('cloudShell').headers.metadata).toBe('true')
  })
})

describe('Service Fabric pins the server certificate', () => {
  it('accepts the thumbprint in any case', async () => {
    const env = { ...endpoint('serviceFabric').env }
    env.IDENTITY_SERVER_THUMBPRINT = env.IDENTITY_SERVER_THUMBPRINT!.toLowerCase()
    await provider({ env }).getToken(SCOPE)
    expect(endpoint('serviceFabric').requests).toHaveLength(1)
  })

  it('refuses a server with another certificate at once: no retry, no request sent', async () => {
    const clock = fakeClock()
    const env = { ...endpoint('serviceFabric').env, IDENTITY_SERVER_THUMBPRINT: 'AB'.repeat(20) }
    const error = await failure(provider({ env }, clock).getToken(SCOPE))
    expect(isApptokenError(error, 'ERR_NETWORK')).toBe(true)
    expect((error as Error).message).toMatch(
      /thumbprint \([0-9a-f]{40}\) is not IDENTITY_SERVER_THUMBPRINT \(abab/,
    )
    expect(endpoint('serviceFabric').requests).toHaveLength(0)
    expect(clock.sleeps).toEqual([])
  })

  it('refuses an http endpoint or a malformed thumbprint at construction', () => {
    const env = endpoint('serviceFabric').env
    const http = { ...env, IDENTITY_ENDPOINT: env.IDENTITY_ENDPOINT!.replace('https:', 'http:') }
    expect(() => managedIdentity({ env: http })).toThrow(/must be https/)
    const bad = { ...env, IDENTITY_SERVER_THUMBPRINT: 'not-a-thumbprint' }
    expect(() => managedIdentity({ env: bad })).toThrow(/IDENTITY_SERVER_THUMBPRINT.*40 hexadecimal/)
  })
})

describe('Azure Arc challenge files', () => {
  it.each([
    ['outside', /not a file directly in the token directory/],
    ['symlink', /symbolic link/],
    ['directory', /not name a regular file/],
    ['oversized', /larger than 4096 bytes/],
    ['missing', /does not exist/],
    ['notKey', /\.key file/],
  ] as const)('refuses a realm that is %s, and never reads it', async (fault, rule) => {
    endpoint('azureArc').failNext({ arcRealm: fault })
    const error = await failure(provider(at('azureArc')).getToken(SCOPE))
    expect(isTokenRequestError(error)).toBe(true)
    expect((error as Error).message).toMatch(rule)
    expect((error as Error).message).toMatch(/the file was not read/)
    // The file's key would have been accepted: the one request proves it was not sent.
    expect(endpoint('azureArc').requests.map((r) => r.status)).toEqual([401])
  })

  it('forwards a user-assigned selector and refuses a token for another identity', async () => {
    const clientId = '0f0e0d0c-0000-4000-8000-000000000abc'
    await provider(at('azureArc', { clientId })).getToken(SCOPE)
    expect(endpoint('azureArc').requests.at(-1)!.query.client_id).toBe(clientId)
    endpoint('azureArc').failNext({ otherIdentity: true })
    const error = await failure(provider(at('azureArc', { clientId })).getToken(SCOPE))
    expect(isApptokenError(error, 'ERR_INVALID_TOKEN_RESPONSE')).toBe(true)
    expect((error as Error).message).toMatch(/another identity/)
  })
})

describe('Azure ML and Cloud Shell identities', () => {
  it('Azure ML names a user-assigned identity by clientid, and only by client id', async () => {
    await provider(at('machineLearning', { clientId: '11111111-2222-3333-4444-555555555555' })).getToken(
      SCOPE,
    )
    expect(endpoint('machineLearning').requests.at(-1)!.query.clientid).toBe(
      '11111111-2222-3333-4444-555555555555',
    )
    expect(() => managedIdentity(at('machineLearning', { objectId: 'x' }))).toThrow(/client id only/)
  })

  it('Cloud Shell serves only the system-assigned identity', () => {
    const error = failure(Promise.resolve().then(() => managedIdentity(at('cloudShell', { clientId: 'x' }))))
    return error.then((e) => {
      expect(isConfigurationError(e) && e.option).toBe('clientId')
      expect((e as Error).message).toMatch(/Cloud Shell serves only the system-assigned identity/)
    })
  })
})

describe('wrong or missing variables', () => {
  it.each([
    [{ IDENTITY_ENDPOINT: 'http://127.0.0.1:9/x' }, 'IDENTITY_ENDPOINT', /without IDENTITY_HEADER/],
    [{ MSI_SECRET: 's3cr3t-value' }, 'MSI_ENDPOINT', /Azure Machine Learning needs it/],
    [{ IDENTITY_SERVER_THUMBPRINT: 'AB'.repeat(20) }, 'IDENTITY_HEADER', /Service Fabric needs it/],
  ])('%o is a ConfigurationError naming %s', (env, option, problem) => {
    const error = failure(Promise.resolve().then(() => managedIdentity({ env })))
    return error.then((e) => {
      expect(isConfigurationError(e) && e.option).toBe(option)
      expect((e as Error).message).toMatch(problem)
      expect((e as Error).message).not.toContain('s3cr3t-value')
    })
  })

  it.each([
    [
      'serviceFabric',
      { IDENTITY_ENDPOINT: 'https://127.0.0.1:9/x', IDENTITY_HEADER: 'h' },
      'IDENTITY_SERVER_THUMBPRINT',
    ],
    ['machineLearning', { MSI_ENDPOINT: 'http://127.0.0.1:9/x' }, 'MSI_SECRET'],
    ['cloudShell', {}, 'MSI_ENDPOINT'],
    ['appService', { IDENTITY_ENDPOINT: 'http://127.0.0.1:9/x' }, 'identityHeader'],
  ] as const)('source %s without its variables names %s', (source, env, option) => {
    expect(() => managedIdentity({ source, env })).toThrow(new RegExp(`"${option}"`))
  })

  it('refuses an unknown source', () => {
    expect(() => managedIdentity({ source: 'kubernetes' as 'imds', env: {} })).toThrow(/one of serviceFabric/)
  })
})

describe('faults', () => {
  it.each(SOURCES)(
    '%s: HTML, empty bodies and expires_on as a date are InvalidTokenResponseError',
    async (source) => {
      const p = provider(at(source))
      endpoint(source).failNext({ body: '<html><body>502 Bad Gateway</body></html>' })
      expect(isApptokenError(await failure(p.getToken(SCOPE)), 'ERR_INVALID_TOKEN_RESPONSE')).toBe(true)
      endpoint(source).failNext({ body: '' })
      expect(isApptokenError(await failure(p.getToken(SCOPE)), 'ERR_INVALID_TOKEN_RESPONSE')).toBe(true)
      endpoint(source).failNext({ expiresOnAsDate: true })
      const error = await failure(p.getToken(SCOPE))
      expect(isApptokenError(error, 'ERR_INVALID_TOKEN_RESPONSE')).toBe(true)
      expect((error as Error).message).toMatch(/usable expires_in/)
    },
  )

  it('waits out IMDS 410 (upgrading) and 429 with Retry-After, counted in stats().retries', async () => {
    const clock = fakeClock()
    endpoint('imds').failNext({ status: 410, count: 2 })
    endpoint('imds').failNext({ status: 429, retryAfter: 7 })
    const p = provider(at('imds'), clock)
    await p.getToken(SCOPE)
    expect(endpoint('imds').requests.map((r) => r.status)).toEqual([410, 410, 429, 200])
    expect(clock.sleeps[2]).toBe(7000)
    expect(p.stats()).toMatchObject({ tokenRequests: 1, retries: 3 })
  })

  it.each(['appService', 'serviceFabric', 'azureArc', 'machineLearning', 'cloudShell'] as const)(
    '%s: a 500 is retried, then served',
    async (source) => {
      const clock = fakeClock()
      endpoint(source).failNext({ status: 500 })
      const p = provider(at(source), clock)
      await p.getToken(SCOPE)
      expect(
        endpoint(source)
          .requests.filter((r) => r.status !== 401)
          .map((r) => r.status),
      ).toEqual([500, 200])
      expect(p.stats().retries).toBe(1)
    },
  )

  it('gives up within the retry budget with a hint for the source', async () => {
    endpoint('machineLearning').failNext({ status: 503, count: 10 })
    const error = await failure(provider(at('machineLearning', { retry: { maxRetries: 2 } })).getToken(SCOPE))
    expect(isTokenRequestError(error) && error.hint).toMatch(
      /Azure Machine Learning identity endpoint is unavailable/,
    )
    expect(endpoint('machineLearning').requests).toHaveLength(3)
  })
})

describe('secrets', () => {
  it.each(['appService', 'serviceFabric', 'machineLearning'] as const)(
    '%s: the identity secret is in no error or log line, even when the endpoint echoes it',
    async (source) => {
      const secret = endpoint(source).env.IDENTITY_HEADER ?? endpoint(source).env.MSI_SECRET!
      const logger = recordingLogger()
      endpoint(source).failNext({ status: 403, body: `refused header ${secret}` })
      const p = createTokenProvider({ credential: managedIdentity(at(source)), clock: fakeClock(), logger })
      providers.push(p)
      const error = await failure(p.getToken(SCOPE))
      expect(isTokenRequestError(error)).toBe(true)
      expect(`${(error as Error).message} ${JSON.stringify(error)} ${logger.text()}`).not.toContain(secret)
    },
  )
})
