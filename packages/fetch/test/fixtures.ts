import { EventEmitter, once } from 'node:events'
import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import { TEST_API_AUDIENCE, useTestApis, type ProtectedApi, type TestApisFixture } from '@apptoken/testing'
import { Agent } from 'undici'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'

export const scopes = `${TEST_API_AUDIENCE}/.default`
export const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'

/**
 * The authority and two APIs (`api`: the allowed origin; `other`: another origin, never allowed),
 * and the per-test provider with its token-request events.
 */
export interface Servers extends TestApisFixture {
  provider: TokenProvider
  /** Resolves when the provider's next token request is on the wire. */
  tokenRequestSent(): Promise<unknown>
}

/** Starts the servers once per file and a fresh provider (empty cache) per test. */
export function useServers(): Servers {
  const servers = useTestApis({ beforeAll, afterAll, beforeEach }) as Servers
  let agent: Agent
  beforeEach(() => {
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
      ...authority.providerOptions,
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
