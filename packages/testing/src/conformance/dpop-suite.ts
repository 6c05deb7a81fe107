import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { startDpopApi, type DpopApi } from '../dpop-api.js'
import {
  OIDC_RESOURCE,
  startOidcProvider,
  type OidcProviderClass,
  type RunningOidcProvider,
} from '../oidc-provider.js'
import { hooksOf, type ConformanceRunner } from './runner.js'

const SECRET = 'a-client-secret-of-at-least-32-bytes-0123456789'

/**
 * A DPoP-capable token provider as the suite sees it (`@apptoken/core`'s `TokenProvider`).
 *
 * @example
 * ```ts
 * import type { TokenProvider } from '@apptoken/core'
 * const asSeen = (p: TokenProvider): DpopProvider => p
 * ```
 */
export interface DpopProvider {
  getToken(scopes: string): Promise<{ accessToken: string; tokenType: string }>
  stats(): { tokenRequests: number }
  close(): Promise<void>
}

/**
 * Status of one call through the adapter under test (`path` starts with `/`).
 *
 * @example
 * ```ts
 * const send: DpopSend = async (method, path) => ({ status: (await fetch(`http://127.0.0.1:4000${path}`, { method })).status })
 * ```
 */
export type DpopSend = (method: 'GET' | 'POST', path: string) => Promise<{ status: number }>

/**
 * An adapter under the DPoP suite.
 *
 * @example
 * ```ts
 * import * as core from '@apptoken/core'
 * import type { OidcProviderClass } from '@apptoken/testing'
 * // Provider: `import Provider from 'oidc-provider'` in the test file
 * const subjectFor = (Provider: OidcProviderClass): DpopAdapterUnderTest => ({
 *   name: 'fetch', Provider, core, createSend: (api) => async (method, path) => ({ status: (await fetch(api.url + path, { method })).status }),
 * })
 * ```
 */
export interface DpopAdapterUnderTest {
  name: string
  /** panva's `oidc-provider` constructor (passed in: `@apptoken/testing` does not depend on it). */
  Provider: OidcProviderClass
  core: {
    createTokenProvider(options: {
      issuer: string
      clientId: string
      credential: never
      dpop: true
    }): DpopProvider
    clientSecret(secret: string): unknown
  }
  /** A client with `scopes: 'read'` over `provider`, calling `api.url` + path. */
  createSend(api: DpopApi, provider: DpopProvider): DpopSend
}

/**
 * DPoP end to end through one adapter: `oidc-provider` issues DPoP-bound JWTs (with a token
 * endpoint nonce) and a DPoP-verifying API wants nonces; the adapter must send `DPoP <token>` and
 * a fresh proof per request, follow a nonce rotation mid-run, and recover a 401 with a new token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449
 * @example
 * ```ts
 * import { describe, it, beforeAll, afterAll } from 'vitest'
 * const run = (subject: DpopAdapterUnderTest) => dpopConformance(subject, { describe, it, beforeAll, afterAll })
 * ```
 */
export function dpopConformance(subject: DpopAdapterUnderTest, runner: ConformanceRunner): void {
  const { before, after } = hooksOf(runner)
  let op: RunningOidcProvider
  let api: DpopApi
  let provider: DpopProvider
  let send: DpopSend
  runner.describe(`${subject.name} with DPoP`, () => {
    before(async () => {
      op = await startOidcProvider(
        subject.Provider,
        [{ client_id: 'app', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' }],
        { dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } },
      )
      api = await startDpopApi({
        jwksUri: op.jwksUri,
        issuer: op.issuer,
        audience: OIDC_RESOURCE,
        requireNonce: true,
      })
      const credential = subject.core.clientSecret(SECRET) as never
      provider = subject.core.createTokenProvider({
        issuer: op.issuer,
        clientId: 'app',
        credential,
        dpop: true,
      })
      send = subject.createSend(api, provider)
    })
    after(async () => {
      await provider.close()
      await api.close()
      await op.close()
    })

    runner.it(
      'sends DPoP-bound tokens with a fresh proof per request, through nonce rotation and a 401',
      async () => {
        assert.equal((await send('GET', '/orders?top=5')).status, 200)
        assert.equal((await send('POST', '/orders')).status, 200)
        api.rotateNonce() // mid-run: the next request gets one use_dpop_nonce 401
        assert.equal((await send('GET', '/orders')).status, 200)
        const first = await provider.getToken('read')
        assert.equal(first.tokenType, 'DPoP')
        api.revoke(first.accessToken) // the next request gets 401 invalid_token: a new token recovers it
        assert.equal((await send('GET', '/after-revoke')).status, 200)
        assert.notEqual((await provider.getToken('read')).accessToken, first.accessToken)
        const seen = api.requests.map(
          (r) => `${r.method} ${r.path} ${r.status}${r.error ? ` ${r.error}` : ''}`,
        )
        assert.deepEqual(seen, [
          'GET /orders?top=5 401 use_dpop_nonce',
          'GET /orders?top=5 200',
          'POST /orders 200',
          'GET /orders 401 use_dpop_nonce',
          'GET /orders 200',
          'GET /after-revoke 401 invalid_token',
          'GET /after-revoke 200',
        ])
        assert.ok(api.requests.every((r) => r.authorization?.startsWith('DPoP ')))
        assert.equal(provider.stats().tokenRequests, 2)
      },
    )
  })
}
