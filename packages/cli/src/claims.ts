/**
 * The claims `apptoken token --json` and `doctor` show: never the signature, never the token itself.
 *
 * @example
 * ```ts
 * const claims: ShownClaims | undefined = decodeClaims(token.accessToken)
 * console.log(claims?.aud, claims?.roles)
 * ```
 */
export interface ShownClaims {
  aud?: unknown
  iss?: unknown
  tid?: unknown
  appid?: unknown
  azp?: unknown
  roles?: unknown
  exp?: unknown
  ver?: unknown
}

/**
 * Decodes a JWT access token's payload, unverified (the API verifies it; we only read it).
 * Undefined when the token is not a JWT (some resources issue opaque tokens).
 *
 * @example
 * ```ts
 * const claims = decodeClaims(token.accessToken)
 * console.log(claims?.roles)
 * ```
 */
export function decodeClaims(token: string): ShownClaims | undefined {
  const payload = token.split('.')[1]
  if (payload === undefined) return undefined
  try {
    const all = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
    if (typeof all !== 'object' || all === null) return undefined
    const { aud, iss, tid, appid, azp, roles, exp, ver } = all
    return { aud, iss, tid, appid, azp, roles, exp, ver }
  } catch {
    return undefined
  }
}

/** The token's audience as text (`unknown` when it has none). */
export function audOf(claims: ShownClaims | undefined): string {
  const aud = claims?.aud
  if (typeof aud === 'string') return aud
  return Array.isArray(aud) ? aud.filter((a) => typeof a === 'string').join(' ') : 'unknown'
}

/** The app roles a token carries (`roles`), `[]` when none. */
export function rolesOf(claims: ShownClaims | undefined): string[] {
  const roles = claims?.roles
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : []
}
