import { once, EventEmitter } from 'node:events'
import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import {
  startProtectedApi,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'

export const scopes = `${TEST_API_AUDIENCE}/.default`
export const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'

/** A local authority, the protected API, a second API on another origin, and a fresh provider per test. */
export interface Servers {
  authority: TestAuthority
  api: ProtectedApi
  other: ProtectedApi
  provider: TokenProvider
  /** Resolves when the provider sends its next token request (the caller is then waiting for it). */
  tokenRequestSent(): Promise<unknown>
}

export async function startServers(): Promise<Omit<Servers, 'provider' | 'tokenRequestSent'>> {
  const authority = await startTestAuthority()
  const api = await startProtectedApi({ authority })
  const other = await startProtectedApi({ authority })
  return { authority, api, other }
}

/**
 * A provider that announces each `getToken` call as an event, so a test can act once the adapter
 * is waiting for a token (with the authority delaying, the token request is then in flight).
 */
export function newProvider(authority: TestAuthority): {
  provider: TokenProvider
  tokenRequestSent(): Promise<unknown>
} {
  const events = new EventEmitter()
  const real = createTokenProvider({
    authorityHost: authority.authorityHost,
    tenantId: authority.tenantId,
    clientId: authority.clientId,
    credential: clientSecret(authority.clientSecret),
  })
  const provider: TokenProvider = {
    clientId: real.clientId,
    tenantId: real.tenantId,
    mode: real.mode,
    getToken(scopes, options) {
      const token = real.getToken(scopes, options)
      events.emit('get-token')
      return token
    },
    toTokenCredential: () => real.toTokenCredential(),
    stats: () => real.stats(),
    close: () => real.close(),
  }
  return { provider, tokenRequestSent: () => once(events, 'get-token') }
}
