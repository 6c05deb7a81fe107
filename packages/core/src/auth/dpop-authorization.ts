import { ConfigurationError } from '../errors.js'
import { DPOP, type DpopSigner } from '../dpop.js'
import type { AccessToken } from '../types.js'
import type { Authorization, ResponseFacts } from './types.js'
import { parseWwwAuthenticate } from './www-authenticate.js'

/**
 * The Authorization of a DPoP-bound token for one request: `Authorization: DPoP <token>` and a
 * fresh `DPoP` proof for this method and URL (RFC 9449 §7.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export function dpopAuthorization(
  signer: DpopSigner | undefined,
  token: AccessToken,
  url: string | URL,
  method: string | undefined,
  adapter: string,
): Authorization {
  if (signer === undefined) {
    throw new ConfigurationError(
      'dpop',
      'the provider returned a DPoP token but has no DPoP key',
      'create the provider with dpop: true',
    )
  }
  if (method === undefined) {
    throw new ConfigurationError(
      'dpop',
      `${adapter} does not pass the request method to core, so it cannot send a DPoP-bound token`,
      'use an adapter that supports DPoP (axios, ky, got, fetch, the undici interceptor), or a provider without dpop',
    )
  }
  const href = typeof url === 'string' ? url : url.href
  return {
    header: `${DPOP} ${token.accessToken}`,
    token: token.accessToken,
    headers: { dpop: signer.proof(method, href, token.accessToken, Date.now()) },
  }
}

/** True when the answer is RFC 9449 §9's `WWW-Authenticate: DPoP error="use_dpop_nonce"`. */
export function asksForDpopNonce(wwwAuthenticate: ResponseFacts['wwwAuthenticate']): boolean {
  const header = Array.isArray(wwwAuthenticate)
    ? wwwAuthenticate.join(', ')
    : (wwwAuthenticate as string | null | undefined)
  if (!header) return false
  return parseWwwAuthenticate(header).some((c) => c.scheme === 'dpop' && c.params.error === 'use_dpop_nonce')
}

/** The first `DPoP-Nonce` value an adapter reported. */
export const firstNonce = (value: ResponseFacts['dpopNonce']): string | undefined =>
  Array.isArray(value) ? (value as readonly string[])[0] : ((value as string | null | undefined) ?? undefined)
