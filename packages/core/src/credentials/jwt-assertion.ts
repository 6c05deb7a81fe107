import { randomUUID, type KeyObject } from 'node:crypto'
import { ASSERTION_LIFETIME_S, loadJose } from './assertion.js'

/** What a `private_key_jwt` / `client_secret_jwt` assertion states (RFC 7523 §3). */
export interface JwtAssertionInput {
  clientId: string
  /** The token endpoint the assertion is sent to. */
  audience: string
  nowMs: number
  algorithm: string
  kid?: string | undefined
}

/**
 * Signs a fresh client assertion with a bare key or a shared secret: `iss` = `sub` = client id,
 * `aud` = token endpoint, a new `jti` each time.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export async function signJwtAssertion(
  key: KeyObject | Uint8Array,
  input: JwtAssertionInput,
): Promise<string> {
  const { SignJWT } = await loadJose()
  const iat = Math.floor(input.nowMs / 1000)
  const header: { alg: string; typ: string; kid?: string } = { alg: input.algorithm, typ: 'JWT' }
  if (input.kid !== undefined) header.kid = input.kid
  return new SignJWT({})
    .setProtectedHeader(header)
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.audience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_S)
    .sign(key)
}
