import { randomBytes } from 'node:crypto'
import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import {
  OIDC_RESOURCE,
  startDpopApi,
  startOidcProvider,
  type DpopApi,
  type RunningOidcProvider,
} from '@apptoken/testing'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, expect, it } from 'vitest'

const SECRET = 'a-client-secret-of-at-least-32-bytes-0123456789'

/** Status and body of one call through the adapter under test. */
export type Send = (method: 'GET' | 'POST', path: string) => Promise<{ status: number; body: unknown }>

/**
 * DPoP end to end through one adapter: oidc-provider issues DPoP-bound JWTs (with a token
 * endpoint nonce), a DPoP-verifying API wants nonces; the adapter must send `DPoP <token>` and a
 * fresh proof per request, follow a nonce rotation mid-run, and recover a 401 with a new token.
 */
export function dpopSuite(makeSend: (api: DpopApi, provider: TokenProvider) => Send): void {
  let op: RunningOidcProvider
  let api: DpopApi
  let provider: TokenProvider
  let send: Send
  beforeAll(async () => {
    op = await startOidcProvider(
      Provider,
      [{ client_id: 'app', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' }],
      { dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } },
    )
    api = await startDpopApi({
      jwksUri: op.jwksUri,
      issuer: op.issuer,
      audience: OIDC_RESOURCE,
      requireNonce: true,
    })
    provider = createTokenProvider({
      issuer: op.issuer,
      clientId: 'app',
      credential: clientSecret(SECRET),
      dpop: true,
    })
    send = makeSend(api, provider)
  })
  afterAll(async () => {
    await provider.close()
    await api.close()
    await op.close()
  })

  it('sends DPoP-bound tokens with a fresh proof per request, through nonce rotation and a 401', async () => {
    expect(await send('GET', '/orders?top=5')).toMatchObject({ status: 200 })
    expect(await send('POST', '/orders')).toMatchObject({ status: 200 })
    api.rotateNonce() // mid-run: the next request gets one use_dpop_nonce 401
    expect(await send('GET', '/orders')).toMatchObject({ status: 200 })
    const first = await provider.getToken('read')
    expect(first.tokenType).toBe('DPoP')
    api.revoke(first.accessToken) // the next request gets 401 invalid_token: a new token recovers it
    expect(await send('GET', '/after-revoke')).toMatchObject({ status: 200 })
    expect((await provider.getToken('read')).accessToken).not.toBe(first.accessToken)
    const seen = api.requests.map((r) => `${r.method} ${r.path} ${r.status}${r.error ? ` ${r.error}` : ''}`)
    expect(seen).toEqual([
      'GET /orders?top=5 401 use_dpop_nonce',
      'GET /orders?top=5 200',
      'POST /orders 200',
      'GET /orders 401 use_dpop_nonce',
      'GET /orders 200',
      'GET /after-revoke 401 invalid_token',
      'GET /after-revoke 200',
    ])
    expect(api.requests.every((r) => r.authorization?.startsWith('DPoP '))).toBe(true)
    expect(provider.stats().tokenRequests).toBe(2)
  })
}
