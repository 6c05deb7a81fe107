import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import {
  clientSecret,
  createTokenProvider,
  isApptokenError,
  type CachedToken,
  type Credential,
  type TokenCache,
  type TokenProvider,
} from '../src/index.js'
import { tokenCacheKey } from '../src/token-keys.js'
import { API, authority, providerFor } from './support.js'

let a: TestAuthority
const providers: TokenProvider[] = []
beforeAll(async () => (a = await authority()))
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  a.reset()
})
afterAll(() => a.close())
const make = (...args: Parameters<typeof providerFor>) => {
  const p = providerFor(...args)
  providers.push(p)
  return p
}
const answer = (body: Record<string, unknown>) =>
  a.failNext({ status: 200, body: JSON.stringify({ expires_in: 3600, ...body }) })

describe('token responses that are not safe to send', () => {
  it.each([
    ['a token_type that injects a header', { access_token: 'abc.def.ghi', token_type: 'Bearer\r\nX-Injected: 1' }],
    ['an access_token with CR/LF', { access_token: 'abc\r\nX-Injected: 1', token_type: 'Bearer' }],
    ['an access_token with a space', { access_token: 'abc def', token_type: 'Bearer' }],
    ['an access_token with control characters', { access_token: 'abc\u0000def', token_type: 'Bearer' }],
    ['token_type "pop"', { access_token: 'abc.def.ghi', token_type: 'pop' }],
  ])('rejects %s as InvalidTokenResponseError and caches nothing', async (_name, body) => {
    const p = make(a)
    answer(body)
    const error = await p.getToken(API).catch((e: unknown) => e)
    expect(isApptokenError(error, 'ERR_INVALID_TOKEN_RESPONSE')).toBe(true)
    expect(String((error as Error).message)).not.toContain('X-Injected: 1\r')
    // Nothing cached: the next call asks the authority again and gets a good token.
    const token = await p.getToken(API)
    expect(token.tokenType).toBe('Bearer')
    expect(a.tokenRequests()).toHaveLength(2)
  })

  it('accepts token_type in any case and sends it as Bearer', async () => {
    const p = make(a)
    answer({ access_token: 'abc.def-ghi_jkl~m+n/o==', token_type: 'bearer' })
    const token = await p.getToken(API)
    expect(token.tokenType).toBe('Bearer')
  })

  it('checks tokens a custom credential obtains by itself', async () => {
    const custom: Credential = {
      kind: 'custom',
      needsClientId: false,
      getToken: () =>
        Promise.resolve({ accessToken: 'x\r\nSet-Cookie: a=b', tokenType: 'Bearer', expiresAt: Date.now() + 3600_000 }),
    }
    const p = createTokenProvider({ credential: custom, authorityHost: a.authorityHost })
    providers.push(p)
    await expect(p.getToken(API)).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN_RESPONSE' })
  })

  it('treats a shared-cache value that is not a sendable token as a miss', async () => {
    const tampered: TokenCache = {
      get: () =>
        Promise.resolve({
          accessToken: 'stolen\r\nX-Injected: 1',
          tokenType: 'Bearer',
          expiresAt: Date.now() + 3600_000,
          refreshAt: Date.now() + 1800_000,
          scopes: [API],
          tenantId: a.tenantId,
        }),
      set: () => Promise.resolve(),
      delete: () => Promise.resolve(),
    }
    const token = await make(a, { cache: tampered }).getToken(API)
    expect(token.accessToken).not.toContain('stolen')
    expect(a.tokenRequests()).toHaveLength(1)
  })
})

describe('cache keys', () => {
  it('cannot be made equal by moving a separator between client, tenant and scopes', () => {
    const host = 'https://login.microsoftonline.com'
    expect(tokenCacheKey(host, 'c1', 't', '|x')).not.toBe(tokenCacheKey(host, 'c1|', 't', 'x'))
    expect(tokenCacheKey(host, 'c1', 'a|b', 'c')).not.toBe(tokenCacheKey(host, 'c1', 'a', 'b|c'))
  })

  it('keeps two clients apart in a shared cache even when client id and scope share a separator', async () => {
    const store = new Map<string, CachedToken>()
    const shared: TokenCache = {
      get: (key) => Promise.resolve(store.get(key)),
      set: (key, token) => (store.set(key, token), Promise.resolve()),
      delete: (key) => (store.delete(key), Promise.resolve()),
    }
    const endpoint = a.tokenEndpoint()
    const first = createTokenProvider({ clientId: a.clientId, tokenEndpoint: endpoint, credential: clientSecret(a.clientSecret), cache: shared })
    const second = createTokenProvider({ clientId: `${a.clientId}|`, tokenEndpoint: endpoint, credential: clientSecret(a.clientSecret), cache: shared })
    providers.push(first, second)
    await first.getToken(`|${API}`).catch(() => undefined)
    store.set(tokenCacheKey(endpoint, a.clientId, '', `|${API}`), {
      accessToken: 'client-one-token', tokenType: 'Bearer', expiresAt: Date.now() + 3600_000,
      refreshAt: Date.now() + 1800_000, scopes: [API], tenantId: '',
    })
    // The second client must not be handed the first client's token.
    const got = await second.getToken(API).then((t) => t.accessToken, () => 'requested')
    expect(got).not.toBe('client-one-token')
    expect([...store.keys()].every((k) => !k.startsWith(`${endpoint}|`))).toBe(true)
  })

  it('validates a generic server tenant like an Entra one', () => {
    expect(() =>
      createTokenProvider({ clientId: 'c', tenantId: 'a|b', tokenEndpoint: a.tokenEndpoint(), credential: clientSecret('s3cr3t-value') }),
    ).toThrow(/tenantId/)
  })
})
