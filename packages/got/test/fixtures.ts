import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import {
  startProtectedApi,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type TestAuthority,
} from '@apptoken/testing'

export const scopes = `${TEST_API_AUDIENCE}/.default`

/** A local authority, the protected API and a second API on another origin. */
export async function startServers() {
  const authority = await startTestAuthority()
  const api = await startProtectedApi({ authority })
  const other = await startProtectedApi({ authority })
  return { authority, api, other }
}

/** A fresh provider for the local authority. */
export function newProvider(authority: TestAuthority): { provider: TokenProvider } {
  const { authorityHost, tenantId, clientId, clientSecret: secret } = authority
  return {
    provider: createTokenProvider({ authorityHost, tenantId, clientId, credential: clientSecret(secret) }),
  }
}
