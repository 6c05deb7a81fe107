import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import {
  createTestCertificate,
  startProtectedApi,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type ApiControls,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'

export const scopes = `${TEST_API_AUDIENCE}/.default`
export const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'

/** The servers and the per-test provider; fields are filled in by the hooks `useServers` installs. */
export interface Servers {
  authority: TestAuthority
  /** PEM certificate the APIs serve https with (SAN 127.0.0.1): the CA a client must trust. */
  ca: string
  /** The protected API (https): the origin of the first authorized request. */
  api: ProtectedApi
  /** A second API (https) on another port: another origin. */
  other: ProtectedApi
  provider: TokenProvider
}

/** A provider for the test authority, as a daemon would create it. */
export function providerFor(authority: TestAuthority): TokenProvider {
  return createTokenProvider({
    authorityHost: authority.authorityHost,
    tenantId: authority.tenantId,
    clientId: authority.clientId,
    credential: clientSecret(authority.clientSecret),
  })
}

/** Starts the servers once per file and a fresh provider (empty cache) per test. */
export function useServers(): Servers {
  const servers = {} as Servers
  beforeAll(async () => {
    // Azure SDKs send bearer tokens over https only: the APIs serve https with a test certificate.
    const cert = await createTestCertificate({ hosts: ['127.0.0.1'] })
    const https = { cert: cert.certificate, key: cert.privateKey }
    servers.ca = cert.certificate
    servers.authority = await startTestAuthority()
    servers.api = await startProtectedApi({ authority: servers.authority, https })
    servers.other = await startProtectedApi({ authority: servers.authority, https })
  })
  afterAll(async () => {
    await Promise.all([servers.api.close(), servers.other.close()])
    await servers.authority.close()
  })
  beforeEach(() => {
    servers.authority.reset()
    servers.api.reset()
    servers.other.reset()
    servers.provider = providerFor(servers.authority)
  })
  afterEach(() => servers.provider.close())
  return servers
}

export const tokens = (server: ApiControls) => server.requests.map((r) => r.token)
export const statuses = (server: ApiControls) => server.requests.map((r) => r.status)

/** A credential that always returns the same token: the token an SDK's own sign-in step puts on a request. */
export const fixedCredential = (token: string) => ({
  getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
})
