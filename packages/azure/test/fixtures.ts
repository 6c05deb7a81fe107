import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import { TEST_API_AUDIENCE, useTestApis, type ApiControls, type TestAuthority } from '@apptoken/testing'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'

export const scopes = `${TEST_API_AUDIENCE}/.default`
export const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'

/** A provider for the test authority, as a daemon would create it. */
const providerFor = (authority: TestAuthority): TokenProvider =>
  createTokenProvider({ ...authority.providerOptions, credential: clientSecret(authority.clientSecret) })

/** The test authority and a fresh provider per test, for a file that starts its own service (Key Vault, Azurite); the two APIs go unused. */
export const useAuthority = () =>
  useTestApis({ beforeAll, afterAll, beforeEach, afterEach }, { createProvider: providerFor })

/**
 * The authority and two APIs (`api`, `other`: two origins) once per file, over https — Azure SDKs
 * send bearer tokens over https only; `ca` is the certificate a client must trust — and a fresh
 * provider (empty cache) per test.
 */
export const useServers = () =>
  useTestApis({ beforeAll, afterAll, beforeEach, afterEach }, { https: true, createProvider: providerFor })

export const tokens = (server: ApiControls) => server.requests.map((r) => r.token)
export const statuses = (server: ApiControls) => server.requests.map((r) => r.status)

/** A credential that always returns the same token: the token an SDK's own sign-in step puts on a request. */
export const fixedCredential = (token: string) => ({
  getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
})
