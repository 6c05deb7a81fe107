import { EventEmitter, once } from 'node:events'
import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import {
  startProtectedApi,
  startTestAuthority,
  TEST_API_AUDIENCE,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import { Agent } from 'undici'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'

export const scopes = `${TEST_API_AUDIENCE}/.default`
export const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'

/** The servers and the per-test provider; fields are filled in by the hooks `useServers` installs. */
export interface Servers {
  authority: TestAuthority
  /** The protected API: the allowed origin. */
  api: ProtectedApi
  /** A second API on another port: another origin, never allowed. */
  other: ProtectedApi
  provider: TokenProvider
  /** Resolves when the provider's next token request is on the wire. */
  tokenRequestSent(): Promise<unknown>
}

/** Starts the servers once per file and a fresh provider (empty cache) per test. */
export function useServers(): Servers {
  const servers = {} as Servers
  let agent: Agent
  beforeAll(async () => {
    servers.authority = await startTestAuthority()
    servers.api = await startProtectedApi({ authority: servers.authority })
    servers.other = await startProtectedApi({ authority: servers.authority })
  })
  afterAll(async () => {
    await Promise.all([servers.api.close(), servers.other.close()])
    await servers.authority.close()
  })
  beforeEach(() => {
    servers.authority.reset()
    servers.api.reset()
    servers.other.reset()
    const events = new EventEmitter()
    agent = new Agent()
    // Announces each token request, so tests act on events rather than on time.
    const dispatcher = agent.compose((dispatch) => (opts, handler) => {
      events.emit('token-request')
      return dispatch(opts, handler)
    })
    servers.tokenRequestSent = () => once(events, 'token-request')
    const { authority } = servers
    servers.provider = createTokenProvider({
      authorityHost: authority.authorityHost,
      tenantId: authority.tenantId,
      clientId: authority.clientId,
      credential: clientSecret(authority.clientSecret),
      dispatcher,
    })
  })
  afterEach(async () => {
    await servers.provider.close()
    await agent.destroy()
  })
  return servers
}

export const tokens = (server: ProtectedApi) => server.requests.map((r) => r.token)
export const statuses = (server: ProtectedApi) => server.requests.map((r) => r.status)
