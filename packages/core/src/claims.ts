import { ConfigurationError } from './errors.js'

/**
 * The `claims` parameter Entra expects: a challenge's claims JSON merged with the client
 * capabilities as `access_token.xms_cc`. `undefined` when there is nothing to send.
 */
export function mergeClaims(claims: string | undefined, capabilities: readonly string[]): string | undefined {
  if (claims === undefined && capabilities.length === 0) return undefined
  let parsed: Record<string, unknown> = {}
  if (claims !== undefined && claims.trim() !== '') {
    try {
      const value: unknown = JSON.parse(claims)
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error('not an object')
      parsed = value as Record<string, unknown>
    } catch {
      throw new ConfigurationError(
        'claims',
        'it is not a JSON object',
        'pass the decoded claims challenge, e.g. {"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}',
      )
    }
  }
  if (capabilities.length === 0) return JSON.stringify(parsed)
  const accessToken = (
    typeof parsed.access_token === 'object' && parsed.access_token !== null ? parsed.access_token : {}
  ) as Record<string, unknown>
  return JSON.stringify({
    ...parsed,
    access_token: { ...accessToken, xms_cc: { values: [...capabilities] } },
  })
}

/** Checks that a claims challenge is a JSON object and returns it unchanged. */
export function checkClaimsJson(claims: string): string {
  mergeClaims(claims, [])
  return claims
}
