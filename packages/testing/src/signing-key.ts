import { randomUUID } from 'node:crypto'
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose'

/** The authority's RS256 signing key, generated once per authority and kept in memory. */
export interface SigningKey {
  kid: string
  /** Public keys, as served at the JWKS endpoint. */
  jwks: JSONWebKeySet
  sign(payload: JWTPayload): Promise<string>
}

export async function createSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
  const jwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(jwk)
  const key: CryptoKey = privateKey
  return {
    kid,
    jwks: { keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256' }] },
    sign: (payload) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(key),
  }
}

/** Claims of an app-only access token, in Entra's v1.0 or v2.0 shape. */
export interface AccessTokenInput {
  /** 1: v1.0 claims (`appid`, `appidacr`); 2: v2.0 claims (`azp`, `azpacr`, and `appid` as before). */
  version: 1 | 2
  issuer: string
  tenantId: string
  audience: string
  clientId: string
  /** Object id of the app's service principal. */
  objectId: string
  roles: readonly string[]
  /** `azpacr`/`appidacr`: 0 none/managed identity, 1 secret, 2 certificate. */
  clientAuthLevel: '0' | '1' | '2'
  issuedAt: number
  lifetimeSeconds: number
  extra?: Record<string, unknown>
}

export function accessTokenClaims(input: AccessTokenInput): JWTPayload {
  const iat = Math.floor(input.issuedAt / 1000)
  const uti = randomUUID()
  // v1.0 tokens name the client `appid`/`appidacr` only; v2.0 ones `azp`/`azpacr` (appid kept for
  // code that reads either).
  const client =
    input.version === 1
      ? { appid: input.clientId, appidacr: input.clientAuthLevel }
      : {
          appid: input.clientId,
          appidacr: input.clientAuthLevel,
          azp: input.clientId,
          azpacr: input.clientAuthLevel,
        }
  return {
    aud: input.audience,
    iss: input.issuer,
    iat,
    nbf: iat,
    exp: iat + input.lifetimeSeconds,
    ...client,
    idp: input.issuer,
    idtyp: 'app',
    oid: input.objectId,
    sub: input.objectId,
    tid: input.tenantId,
    ...(input.roles.length > 0 ? { roles: [...input.roles] } : {}),
    uti,
    jti: uti,
    ver: input.version === 1 ? '1.0' : '2.0',
    ...input.extra,
  }
}
