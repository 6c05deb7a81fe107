import { randomUUID } from 'node:crypto'
import type * as JoseModule from 'jose'
import type { CertificateMaterial } from './certificate-material.js'

/** RFC 7523 client assertion type. */
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** Lifetime of a signed assertion. It is used at once; ten minutes absorbs clock skew. */
export const ASSERTION_LIFETIME_S = 600

/**
 * Signing algorithm of certificate assertions.
 *
 * @example
 * ```ts
 * clientCertificate({ path: 'app.pem', algorithm: 'RS256' }) // for authorities without PS256
 * ```
 */
export type AssertionAlgorithm = 'PS256' | 'RS256'

type Jose = typeof JoseModule
let joseModule: Promise<Jose> | undefined
/** jose, loaded on the first signature: importing apptoken, or a cache hit, never needs it. */
export const loadJose = (): Promise<Jose> => (joseModule ??= import('jose'))

/** What an assertion states, besides the certificate. */
export interface AssertionInput {
  clientId: string
  /** The exact token endpoint URL the assertion is sent to. */
  audience: string
  nowMs: number
  algorithm: AssertionAlgorithm
  sendCertificateChain: boolean
}

/** The form fields of a client assertion. */
export const assertionForm = (assertion: string): Record<string, string> => ({
  client_assertion_type: JWT_BEARER,
  client_assertion: assertion,
})

/**
 * Signs a fresh client assertion: a new `jti` every time, because strict servers refuse a
 * replayed one. PS256 names its certificate by `x5t#S256`; RS256 by the SHA-1 `x5t` older
 * authorities expect.
 */
export async function signClientAssertion(
  material: CertificateMaterial,
  input: AssertionInput,
): Promise<string> {
  const { SignJWT } = await loadJose()
  const iat = Math.floor(input.nowMs / 1000)
  const header: Record<string, unknown> & { alg: string } = { alg: input.algorithm, typ: 'JWT' }
  if (input.algorithm === 'PS256') header['x5t#S256'] = material.x5tS256
  else header.x5t = material.x5t
  if (input.sendCertificateChain) header.x5c = material.x5c
  return new SignJWT({})
    .setProtectedHeader(header)
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.audience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_S)
    .sign(material.key)
}
