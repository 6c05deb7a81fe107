import type { IssuedToken } from './credential.js'
import { InvalidTokenResponseError, TokenRequestError } from './errors.js'
import { tokenErrorHint } from './hints.js'
import type { HttpResponse } from './http.js'
import { redact } from './redact.js'
import { parseRetryAfter } from './retry-after.js'
import { DPOP } from './dpop.js'

const MAX_LIFETIME_S = 366 * 24 * 3600

function seconds(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value)
  return undefined
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** How {@link tokenRequestError} reads an error answer. */
export interface ErrorAnswerOptions {
  /** Values of the request (secret, assertion) scrubbed from the server's text. */
  sensitive?: readonly string[]
  /** The hint for these codes; default: the token endpoint's hints (AADSTS codes, OAuth errors). */
  hint?: (errorCodes: readonly number[], error: string | undefined) => string | undefined
}

/**
 * Turns an error answer of a token endpoint (or a managed identity endpoint) into a
 * {@link TokenRequestError} with a hint. Reads RFC 6749 §5.2 `error`/`error_description`, Entra's
 * `error_codes`, `trace_id`, `correlation_id`, an `AADSTS` code in the description, a `message`
 * (App Service), or the first 200 characters of a body that is not JSON.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function tokenRequestError(
  res: HttpResponse,
  now: number,
  options: ErrorAnswerOptions = {},
): TokenRequestError {
  const parsed = parseJson(res.body)
  const json = parsed ?? {}
  const codes = Array.isArray(json.error_codes)
    ? json.error_codes.filter((c): c is number => typeof c === 'number')
    : []
  const raw =
    str(json.error_description) ??
    str(json.message) ??
    (parsed ? undefined : res.body.trim().slice(0, 200) || undefined)
  // A proxy or endpoint that reflects the request must not put the secret into a message.
  const description = raw === undefined ? undefined : redact(raw, options.sensitive ?? [])
  const error = str(json.error)
  const fromDescription = /AADSTS(\d+)/.exec(description ?? '')?.[1]
  const allCodes = codes.length > 0 ? codes : fromDescription ? [Number(fromDescription)] : []
  return new TokenRequestError({
    status: res.status,
    error,
    errorDescription: description,
    errorCodes: allCodes,
    traceId: str(json.trace_id),
    correlationId: str(json.correlation_id),
    timestamp: str(json.timestamp),
    retryAfterMs: parseRetryAfter(res.headers, now),
    hint: (options.hint ?? tokenErrorHint)(allCodes, error),
  })
}

/**
 * Reads a token endpoint answer. A 2xx that is not JSON, lacks `access_token` or has a
 * nonsensical lifetime is an {@link InvalidTokenResponseError}: never cached.
 */
export function parseTokenResponse(
  res: HttpResponse,
  now: number,
  sensitive: readonly string[] = [],
): IssuedToken {
  if (res.status < 200 || res.status > 299) throw tokenRequestError(res, now, { sensitive })
  const json = parseJson(res.body)
  if (json === undefined)
    throw new InvalidTokenResponseError(
      `The token endpoint answered ${res.status} with a body that is not a JSON object`,
    )
  const accessToken = json.access_token
  if (typeof accessToken !== 'string' || accessToken.trim() === '') {
    throw new InvalidTokenResponseError('The token endpoint answered without an access_token')
  }
  const expiresIn = seconds(json.expires_in)
  const expiresOn = seconds(json.expires_on)
  let expiresAt: number
  if (expiresIn !== undefined) {
    if (!(expiresIn > 0 && expiresIn <= MAX_LIFETIME_S)) {
      throw new InvalidTokenResponseError(
        `The token endpoint answered with a nonsensical expires_in (${String(json.expires_in)})`,
      )
    }
    expiresAt = now + expiresIn * 1000
  } else if (
    expiresOn !== undefined &&
    expiresOn * 1000 > now &&
    expiresOn * 1000 - now <= MAX_LIFETIME_S * 1000
  ) {
    expiresAt = expiresOn * 1000
  } else {
    throw new InvalidTokenResponseError('The token endpoint answered without a usable expires_in')
  }
  const refreshIn = seconds(json.refresh_in)
  const tokenType = str(json.token_type) ?? 'Bearer'
  const token: IssuedToken = { accessToken, tokenType, expiresAt }
  if (refreshIn !== undefined && refreshIn > 0 && now + refreshIn * 1000 < expiresAt)
    token.refreshAt = now + refreshIn * 1000
  return token
}

/** RFC 6750 §2.1 `b64token`: the only characters an access token may have in an Authorization header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/**
 * True when the token can be sent as `Authorization: Bearer <token>` as it is: a Bearer token of
 * `b64token` characters only (no CR/LF, no spaces, nothing that could inject a header).
 */
export function isSendableToken(accessToken: unknown, tokenType: unknown, allowDpop = false): boolean {
  return (
    typeof accessToken === 'string' &&
    B64TOKEN.test(accessToken) &&
    typeof tokenType === 'string' &&
    (tokenType.toLowerCase() === 'bearer' || (allowDpop && tokenType.toLowerCase() === 'dpop'))
  )
}

/**
 * Checks a token before it is cached: a `token_type` the adapters cannot send, or an access token
 * with characters outside RFC 6750's `b64token`, is an {@link InvalidTokenResponseError} and nothing
 * is cached. Returns the token with its type spelled `Bearer` (or `DPoP`, when `allowDpop`: the
 * provider has the `dpop` option).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function checkIssuedToken(issued: IssuedToken, allowDpop = false): IssuedToken {
  const type = issued.tokenType ?? 'Bearer'
  const lower = typeof type === 'string' ? type.toLowerCase() : ''
  if (allowDpop && lower === 'dpop') {
    if (!isSendableToken(issued.accessToken, type, true))
      throw new InvalidTokenResponseError(
        'The token endpoint answered with an access_token containing characters that are not allowed in an Authorization header (RFC 6750 b64token)',
      )
    return type === DPOP ? issued : { ...issued, tokenType: DPOP }
  }
  if (lower !== 'bearer') {
    throw new InvalidTokenResponseError(
      `The token endpoint answered with token_type ${JSON.stringify(String(type).slice(0, 32))}, which apptoken cannot send; ${
        allowDpop
          ? 'only Bearer and DPoP tokens are supported'
          : 'only Bearer tokens are supported (DPoP needs the provider option dpop)'
      }`,
    )
  }
  if (!isSendableToken(issued.accessToken, type)) {
    throw new InvalidTokenResponseError(
      'The token endpoint answered with an access_token containing characters that are not allowed in an Authorization header (RFC 6750 b64token)',
    )
  }
  return type === 'Bearer' ? issued : { ...issued, tokenType: 'Bearer' }
}
