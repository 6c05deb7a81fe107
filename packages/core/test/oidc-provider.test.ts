import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import {
  clientSecret,
  clientSecretJwt,
  ConfigurationError,
  createTokenProvider,
  privateKeyJwt,
  TokenRequestError,
} from '../src/index.js'
import { ecKey, RESOURCE, startOidcProvider, type RunningOidcProvider } from './oidc-provider-support.js'

const ec = ecKey()
const ed = generateKeyPairSync('ed25519')
const edPublic = ed.publicKey.export({ format: 'jwk' })
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const SECRET = 'a-client-secret-of-at-least-32-bytes-0123456789'

let op: RunningOidcProvider
beforeAll(async () => {
  op = await startOidcProvider([
    { client_id: 'secret-app', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' },
    {
      client_id: 'ec-app',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...ec.publicJwk, kid: 'ec-1' }] },
    },
    {
      client_id: 'ed-app',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...edPublic, kid: 'ed-1' }] },
    },
    { client_id: 'jwt-secret-app', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_jwt' },
  ])
})
afterAll(() => op.close())

async function audienceOf(accessToken: string) {
  const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(op.jwksUri)), {
    issuer: op.issuer,
  })
  return payload
}

describe('against oidc-provider', () => {
  it('gets a JWT access token for an RFC 8707 resource (aud = resource)', async () => {
    const resource = 'https://orders.example.test/'
    const p = createTokenProvider({
      issuer: op.issuer,
      clientId: 'secret-app',
      credential: clientSecret(SECRET),
      tokenParams: { resource },
    })
    const token = await p.getToken('read')
    const claims = await audienceOf(token.accessToken)
    expect(claims.aud).toBe(resource)
    expect(claims.client_id).toBe('secret-app')
    // Another resource through per-call params: another token, another audience.
    const other = await p.getToken('read', { params: { resource: RESOURCE } })
    expect((await audienceOf(other.accessToken)).aud).toBe(RESOURCE)
    expect((await p.getToken('read')).fromCache).toBe(true)
    await p.close()
  })

  it('authenticates with private_key_jwt and an EC P-256 JWK (kid from the JWK)', async () => {
    const jwk = { ...(ec.privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'ec-1' }
    const p = createTokenProvider({
      issuer: op.issuer,
      clientId: 'ec-app',
      credential: privateKeyJwt(jwk as never),
    })
    const token = await p.getToken('read')
    expect((await audienceOf(token.accessToken)).client_id).toBe('ec-app')
    await p.close()
  })

  it('authenticates with private_key_jwt and an Ed25519 KeyObject', async () => {
    const p = createTokenProvider({
      issuer: op.issuer,
      clientId: 'ed-app',
      credential: privateKeyJwt(ed.privateKey, { kid: 'ed-1' }),
    })
    expect((await audienceOf((await p.getToken('read')).accessToken)).client_id).toBe('ed-app')
    await p.close()
  })

  it('authenticates with client_secret_jwt (HS256)', async () => {
    const p = createTokenProvider({
      issuer: op.issuer,
      clientId: 'jwt-secret-app',
      credential: clientSecretJwt(SECRET),
    })
    expect((await audienceOf((await p.getToken('read')).accessToken)).client_id).toBe('jwt-secret-app')
    await p.close()
  })

  it('refuses an algorithm the server does not list, at the first request, naming the option', async () => {
    const p = createTokenProvider({
      issuer: op.issuer,
      clientId: 'jwt-secret-app',
      credential: clientSecretJwt(SECRET, { algorithm: 'HS512' }),
    })
    const error = await p.getToken('read').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as ConfigurationError).option).toBe('clientSecretJwt.algorithm')
    expect(String(error)).not.toContain(SECRET)
    await p.close()
  })

  it('refuses an RSA key when the server lists only RS256/PS256 and the key is asked for RS384', async () => {
    const p = createTokenProvider({
      issuer: op.issuer,
      clientId: 'ec-app',
      credential: privateKeyJwt(rsa.privateKey, { algorithm: 'RS384' }),
    })
    await expect(p.getToken('read')).rejects.toThrow(/privateKeyJwt\.algorithm.*does not accept RS384/)
    await p.close()
  })

  it('reports a key the server does not know as invalid_client', async () => {
    const other = ecKey()
    const p = createTokenProvider({
      issuer: op.issuer,
      clientId: 'ec-app',
      credential: privateKeyJwt(other.privateKey, { kid: 'ec-1' }),
      retry: false,
    })
    await expect(p.getToken('read')).rejects.toBeInstanceOf(TokenRequestError)
    await p.close()
  })
})
