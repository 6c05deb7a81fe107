import type { IssuedToken } from './credential.js'
import { InvalidTokenResponseError, TokenRequestError } from './errors.js'
import { tokenErrorHint } from './hints.js'
import type { HttpResponse } from './http.js'
import { parseRetryAfter } from './retry.js'

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

/** Turns an error answer of a token endpoint into a {@link TokenRequestError} with a hint. */
export function tokenRequestError(res: HttpResponse, now: number): TokenRequestError {
  const json = parseJson(res.body) ?? {}
  const codes = Array.isArray(json.error_codes)
    ? json.error_codes.filter((c): c is number => typeof c === 'number')
    : []
  const description =
    str(json.error_description) ?? (parseJson(res.body) ? undefined : res.body.slice(0, 200) || undefined)
  const error = str(json.error)
  const fromDescription = /^AADSTS(\d+)/.exec(description ?? '')?.[1]
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
    hint: tokenErrorHint(allCodes, error),
  })
}

/**
 * Reads a token endpoint answer. A 2xx that is not JSON, lacks `access_token` or has a
 * nonsensical lifetime is an {@link InvalidTokenResponseError}: never cached.
 */
export function parseTokenResponse(res: HttpResponse, now: number): IssuedToken {
  if (res.status < 200 || res.status > 299) throw tokenRequestError(res, now)
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

const TWO_HOURS = 2 * 3600_000
const FIVE_MINUTES = 5 * 60_000

/**
 * When to refresh: the server's `refresh_in` if it sent one; else half-way for tokens of two
 * hours or more; else five minutes before expiry (but never before half-way).
 */
export function computeRefreshAt(
  now: number,
  expiresAt: number,
  serverRefreshAt: number | undefined,
): number {
  if (serverRefreshAt !== undefined) return serverRefreshAt
  const lifetime = expiresAt - now
  if (lifetime >= TWO_HOURS) return now + lifetime / 2
  return Math.max(now + lifetime / 2, expiresAt - FIVE_MINUTES)
}
