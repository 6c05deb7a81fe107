import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose'
import type { TestAuthority } from './authority.js'
import { authorityInternals } from './internals.js'

/** Why a request was let in or not. */
export type GateResult =
  | { outcome: 'allowed'; claims: JWTPayload }
  | { outcome: 'unauthorized'; description: string }
  | { outcome: 'challenged'; claims: string }
  | { outcome: 'forbidden'; claims: JWTPayload }

/**
 * Validates bearer tokens the way a real API does (signature against the authority's JWKS,
 * issuer, audience, lifetime on the authority's clock, revocation, app roles), plus the
 * test controls: forced rejections and claims challenges.
 */
export class BearerGate {
  private rejectCount = 0
  private rejectAll = false
  private challenge: string | undefined
  private readonly keys: ReturnType<typeof createLocalJWKSet>

  constructor(
    private readonly authority: TestAuthority,
    private readonly audience: string | readonly string[],
  ) {
    this.keys = createLocalJWKSet(authority.jwks)
  }

  rejectNext(count = 1): void {
    if (!Number.isInteger(count) || count < 0)
      throw new RangeError(`count must be a non-negative integer, got ${count}`)
    this.rejectCount += count
  }

  rejectAlways(on: boolean): void {
    this.rejectAll = on
  }

  challengeNext(claims: string): void {
    JSON.parse(claims) // fail fast on a typo in a test, not in the client under test
    this.challenge = claims
  }

  reset(): void {
    this.rejectCount = 0
    this.rejectAll = false
    this.challenge = undefined
  }

  /** Decides on one request; `anyRole` empty means no role is needed. */
  async check(token: string | undefined, anyRole: readonly string[]): Promise<GateResult> {
    if (this.rejectAll || this.rejectCount > 0) {
      if (!this.rejectAll) this.rejectCount--
      return {
        outcome: 'unauthorized',
        description: 'The access token was rejected by the test (rejectNext/rejectAlways).',
      }
    }
    if (this.challenge !== undefined && !this.carriesClaims(token, this.challenge)) {
      const claims = this.challenge
      this.challenge = undefined
      return { outcome: 'challenged', claims }
    }
    if (token === undefined) return { outcome: 'unauthorized', description: 'No access token was provided.' }
    let claims: JWTPayload
    try {
      ;({ payload: claims } = await jwtVerify(token, this.keys, {
        algorithms: ['RS256'],
        audience: typeof this.audience === 'string' ? this.audience : [...this.audience],
        // v1.0 (sts.windows.net) and v2.0 tokens alike, as an API of an Azure resource accepts both.
        issuer: this.authority.issuers(),
        currentDate: new Date(this.authority.now()),
      }))
    } catch (error) {
      return { outcome: 'unauthorized', description: describe(error, this.audience) }
    }
    if (this.authority.isRevoked(token))
      return { outcome: 'unauthorized', description: 'The access token has been revoked.' }
    const roles = Array.isArray(claims.roles) ? claims.roles : []
    if (anyRole.length > 0 && !anyRole.some((r) => roles.includes(r))) return { outcome: 'forbidden', claims }
    return { outcome: 'allowed', claims }
  }

  /** True when the token came from a token request whose `claims` include the challenge's. */
  private carriesClaims(token: string | undefined, challenge: string): boolean {
    if (token === undefined) return false
    try {
      const uti = decodeJwt(token).uti
      const requested =
        typeof uti === 'string' ? authorityInternals.get(this.authority)?.requestedClaims(uti) : undefined
      return requested !== undefined && contains(JSON.parse(requested), JSON.parse(challenge))
    } catch {
      return false
    }
  }
}

/** Deep "superset" test: clients may merge capabilities (xms_cc) into the challenge's claims. */
function contains(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) return actual === expected
  if (typeof actual !== 'object' || actual === null) return false
  if (Array.isArray(expected))
    return Array.isArray(actual) && expected.every((e) => actual.some((a) => contains(a, e)))
  return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v))
}

function describe(error: unknown, audience: string | readonly string[]): string {
  if (error instanceof errors.JWTExpired) return 'The access token is expired.'
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud')
      return `The audience is invalid; expected '${typeof audience === 'string' ? audience : audience.join("' or '")}'.`
    if (error.claim === 'iss') return 'The issuer is invalid.'
    if (error.claim === 'nbf') return 'The access token is not yet valid.'
    return `Claim '${error.claim}' is invalid.`
  }
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'The signing key was not found (the token was issued by another authority).'
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The signature is invalid.'
  return 'The access token is malformed.'
}
