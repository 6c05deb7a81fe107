import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { startDpopApi, type DpopApi } from '@apptoken/testing'
import {
  clientSecret,
  createTokenProvider,
  InvalidTokenResponseError,
  TokenRequestError,
} from '../src/index.js'
import { createRequestAuthorizer, type Authorization } from '../src/adapter.js'
import { RESOURCE, startOidcProvider, type RunningOidcProvider } from './oidc-provider-support.js'

const SECRET = 'a-client-secret-of-at-least-32-bytes-0123456789'
let op: RunningOidcProvider
let api: DpopApi

beforeAll(async () => {
  op = await startOidcProvider(
    [{ client_id: 'app', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' }],
    { dPoP: { enabled: true, nonceSecret: Buffer.alloc(32, 7), requireNonce: () => true } },
  )
  api = await startDpopApi({ jwksUri: op.jwksUri, issuer: op.issuer, audience: RESOURCE, requireNonce: true })
})
afterAll(async () => {
  await api.close()
  await op.close()
})

const provider = (dpop: Parameters<typeof createTokenProvider>[0]['dpop'] = true) =>
  createTokenProvider({ issuer: op.issuer, clientId: 'app', credential: clientSecret(SECRET), dpop })

/** A tiny adapter over global fetch, as the real ones do it: method, proof header, one retry. */
async function call(auth: ReturnType<typeof createRequestAuthorizer>, path: string, method = 'GET') {
  const url = `${api.url}${path}`
  const send = (a: Authorization) =>
    fetch(url, { method, headers: { authorization: a.header, ...a.headers } })
  const sent = (await auth.authorize(url, undefined, undefined, method))!
  let res = await send(sent)
  const retry = await auth.onResponse({
    url,
    status: res.status,
    wwwAuthenticate: res.headers.get('www-authenticate'),
    sent,
    replayable: true,
    retried: false,
    method,
    dpopNonce: res.headers.get('dpop-nonce'),
  })
  if (retry !== undefined) res = await send(retry)
  return { res, sent, retry }
}

describe('DPoP (RFC 9449) against oidc-provider', () => {
  it('gets a DPoP-bound token (token endpoint nonce followed once) and sends a fresh proof per request', async () => {
    const p = provider()
    const token = await p.getToken('read')
    expect(token.tokenType).toBe('DPoP')
    expect((decodeJwt(token.accessToken).cnf as { jkt: string }).jkt).toBe(p.dpop!.thumbprint)
    const auth = createRequestAuthorizer(p, { scopes: 'read', origins: [api.url] }, { adapter: 'test' })
    const first = await call(auth, '/orders?top=5#x', 'POST')
    expect(first.res.status).toBe(200) // after one use_dpop_nonce retry
    expect(first.retry).toBeDefined()
    expect(first.sent.header).toBe(`DPoP ${token.accessToken}`)
    const proof = decodeJwt(first.sent.headers!.dpop!)
    expect(proof).toMatchObject({ htm: 'POST', htu: `${api.url}/orders` })
    expect(decodeProtectedHeader(first.sent.headers!.dpop!)).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' })
    const second = await call(auth, '/orders')
    expect(second.res.status).toBe(200)
    expect(second.retry).toBeUndefined() // the nonce is remembered
    expect(second.sent.headers!.dpop).not.toBe(first.sent.headers!.dpop)
    // Nonce rotation mid-run: one 401 use_dpop_nonce, recovered with the new nonce.
    api.rotateNonce()
    const third = await call(auth, '/orders')
    expect(third.res.status).toBe(200)
    expect(decodeJwt(third.retry!.headers!.dpop!).nonce).toBe(api.nonce())
    expect(p.stats().tokenRequests).toBe(1)
    await p.close()
  })

  it('recovers a 401 invalid_token with a new token and a new proof', async () => {
    const p = provider()
    const auth = createRequestAuthorizer(p, { scopes: 'read', origins: [api.url] }, { adapter: 'test' })
    const token = await p.getToken('read')
    const url = `${api.url}/x`
    const retry = await auth.onResponse({
      url,
      status: 401,
      wwwAuthenticate: 'DPoP error="invalid_token"',
      sent: { header: `DPoP ${token.accessToken}`, token: token.accessToken, headers: { dpop: 'x' } },
      replayable: true,
      retried: false,
      method: 'GET',
    })
    expect(retry!.token).not.toBe(token.accessToken)
    expect(retry!.header).toBe(`DPoP ${retry!.token}`)
    expect(decodeJwt(retry!.headers!.dpop!).ath).toBeDefined()
    await p.close()
  })

  it('gives up after one retry when the API wants a new nonce every time', async () => {
    const p = provider()
    const auth = createRequestAuthorizer(p, { scopes: 'read', origins: [api.url] }, { adapter: 'test' })
    api.alwaysNewNonce(true)
    try {
      const { res, retry } = await call(auth, '/churn')
      expect(retry).toBeDefined()
      expect(res.status).toBe(401) // one retry, then the caller gets the 401 as it is
      expect(res.headers.get('www-authenticate')).toContain('use_dpop_nonce')
    } finally {
      api.alwaysNewNonce(false)
      await p.close()
    }
  })

  it('refuses a nonce with CR/LF or quotes', async () => {
    const p = provider()
    const auth = createRequestAuthorizer(p, { scopes: 'read', origins: [api.url] }, { adapter: 'test' })
    const token = await p.getToken('read')
    const facts = (dpopNonce: string) => ({
      url: `${api.url}/x`,
      status: 401,
      wwwAuthenticate: 'DPoP error="use_dpop_nonce"',
      sent: { header: `DPoP ${token.accessToken}`, token: token.accessToken, headers: { dpop: 'x' } },
      replayable: true,
      retried: false,
      method: 'GET',
      dpopNonce,
    })
    expect(await auth.onResponse(facts('abc\r\nx-injected: 1'))).toBeUndefined()
    expect(await auth.onResponse(facts('a"b'))).toBeUndefined()
    const ok = await auth.onResponse(facts('good-nonce'))
    expect(decodeJwt(ok!.headers!.dpop!).nonce).toBe('good-nonce')
    await p.close()
  })

  it('an adapter that does not pass the method gets a clear error for a DPoP token', async () => {
    const p = provider()
    const auth = createRequestAuthorizer(
      p,
      { scopes: 'read', origins: [api.url] },
      { adapter: 'old-adapter' },
    )
    await expect(auth.authorize(`${api.url}/x`)).rejects.toThrow(
      /old-adapter does not pass the request method/,
    )
    await p.close()
  })

  it('a token endpoint that wants a new nonce forever: one retry, then a TokenRequestError', async () => {
    const p = provider()
    // The provider's nonce is stale from the start and the server is asked with none: oidc-provider
    // answers use_dpop_nonce once; follow it once. To see "forever", sabotage the signer's memory.
    const signer = p.dpop!
    const remember = signer.rememberNonce.bind(signer)
    let n = 0
    signer.rememberNonce = (url, nonce) =>
      remember(url, typeof nonce === 'string' ? `${nonce}-stale${n++}` : nonce)
    await expect(p.getToken('read')).rejects.toSatisfy(
      (e) => e instanceof TokenRequestError && e.error === 'use_dpop_nonce',
    )
    await p.close()
  })
})

describe('DPoP token types', () => {
  it('refuses token_type DPoP without the dpop option, and any other type with it', async () => {
    const { createServer } = await import('node:http')
    let type = 'DPoP'
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ access_token: 'abc', token_type: type, expires_in: 3600 }))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const tokenEndpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`
    const make = (dpop: boolean) =>
      createTokenProvider({
        tokenEndpoint,
        clientId: 'app',
        credential: clientSecret(SECRET),
        dpop,
        retry: false,
      })
    await expect(make(false).getToken('read')).rejects.toThrow(/DPoP needs the provider option dpop/)
    expect((await make(true).getToken('read')).tokenType).toBe('DPoP')
    type = 'MAC'
    await expect(make(true).getToken('read')).rejects.toBeInstanceOf(InvalidTokenResponseError)
    type = 'DPoP\r\nx-injected: 1'
    await expect(make(true).getToken('read')).rejects.toBeInstanceOf(InvalidTokenResponseError)
    await new Promise((r) => server.close(r))
  })
})

describe('DPoP algorithms the server lists', () => {
  it('refuses a proof algorithm missing from dpop_signing_alg_values_supported, at the first request', async () => {
    const { generateKeyPairSync } = await import('node:crypto')
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    const p = provider({ privateKey: rsa, algorithm: 'PS256' }) // oidc-provider lists ES256, Ed25519, EdDSA
    await expect(p.getToken('read')).rejects.toThrow(/does not accept PS256 DPoP proofs/)
    await p.close()
  })

  it('refuses a DPoP key that cannot sign', () => {
    expect(() => provider({ privateKey: 'not a key' })).toThrow(/dpop\.privateKey/)
  })
})

describe('a Bearer token keeps its path', () => {
  it('returns the same Authorization object per token, with no extra headers, whatever the method', async () => {
    const p = createTokenProvider({ issuer: op.issuer, clientId: 'app', credential: clientSecret(SECRET) })
    const auth = createRequestAuthorizer(p, { scopes: 'read', origins: [api.url] }, { adapter: 'test' })
    const a = await auth.authorize(`${api.url}/x`, undefined, undefined, 'GET')
    const b = await auth.authorize(`${api.url}/y`, undefined, undefined, 'POST')
    const c = await auth.authorize(`${api.url}/z`)
    expect(a).toBe(b)
    expect(b).toBe(c)
    expect(a!.headers).toBeUndefined()
    expect(a!.header).toMatch(/^Bearer /)
    expect(p.dpop).toBeUndefined()
    await p.close()
  })
})
