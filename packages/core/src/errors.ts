import { ApptokenError, isApptokenError } from './apptoken-error.js'
import { redact } from './redact.js'

export { ApptokenError, isApptokenError, type ApptokenErrorCode } from './apptoken-error.js'

/**
 * Bad input: an option, a scope, a file. Thrown early (at `createTokenProvider`, `getToken`'s
 * argument check or attach time) and names the option and the fix.
 *
 * @example
 * ```ts
 * createTokenProvider({ tenantId: 'common', ... }) // throws ConfigurationError: option "tenantId" ...
 * ```
 */
export class ConfigurationError extends ApptokenError {
  /** The option (or setting) that is wrong, e.g. `tenantId` or `scopes`. */
  readonly option: string
  /** What to do about it, in one sentence. */
  readonly fix: string

  constructor(option: string, problem: string, fix: string) {
    super('ERR_CONFIGURATION', `Invalid option "${option}": ${problem}. Fix: ${fix}`)
    this.option = option
    this.fix = fix
  }
}

/**
 * Fields the authority reported with a failed token request.
 *
 * @example
 * ```ts
 * const e = new TokenRequestError({ status: 401, error: 'invalid_client', errorCodes: [7000215] }) // e.g. in a test
 * e.aadsts // 'AADSTS7000215'
 * ```
 */
export interface TokenRequestErrorDetails {
  status: number
  error?: string | undefined
  errorDescription?: string | undefined
  errorCodes?: readonly number[] | undefined
  traceId?: string | undefined
  correlationId?: string | undefined
  timestamp?: string | undefined
  retryAfterMs?: number | undefined
  hint?: string | undefined
}

/**
 * The authority answered a token request with an error (`invalid_client`, `invalid_scope`, a 5xx
 * after retries...). Carries the Entra details and a `hint` saying what to do.
 *
 * @example
 * ```ts
 * if (isTokenRequestError(e) && e.aadsts === 'AADSTS7000215') rotateSecret()
 * ```
 */
export class TokenRequestError extends ApptokenError {
  readonly status: number
  /** OAuth error code, e.g. `invalid_client`. */
  readonly error: string | undefined
  readonly errorDescription: string | undefined
  /** The Entra error code with its prefix, e.g. `AADSTS7000215`. */
  readonly aadsts: string | undefined
  readonly errorCodes: readonly number[]
  readonly traceId: string | undefined
  readonly correlationId: string | undefined
  readonly timestamp: string | undefined
  /** What to do about it, when we know. */
  readonly hint: string | undefined
  /** Server-requested delay before another attempt, if it sent one. */
  readonly retryAfterMs: number | undefined

  constructor(details: TokenRequestErrorDetails) {
    const codes = details.errorCodes ?? []
    const fromDescription = /^(AADSTS\d+)/.exec(details.errorDescription ?? '')?.[1]
    const aadsts = codes[0] !== undefined ? `AADSTS${codes[0]}` : fromDescription
    const summary = [details.status, details.error, aadsts].filter(Boolean).join(' ')
    const firstLine = details.errorDescription?.split(/\r?\n/)[0]?.replace(/^AADSTS\d+:\s*/, '')
    const message =
      `Token request failed (${summary})` +
      (firstLine ? `: ${firstLine}` : '') +
      (details.hint ? `\nHint: ${details.hint}` : '')
    super('ERR_TOKEN_REQUEST', message)
    this.status = details.status
    this.error = details.error
    this.errorDescription =
      details.errorDescription === undefined ? undefined : redact(details.errorDescription)
    this.aadsts = aadsts
    this.errorCodes = codes
    this.traceId = details.traceId
    this.correlationId = details.correlationId
    this.timestamp = details.timestamp
    this.hint = details.hint
    this.retryAfterMs = details.retryAfterMs
  }
}

/**
 * The token endpoint could not be reached (DNS, refused, reset, TLS) after the retries.
 *
 * @example
 * ```ts
 * if (isApptokenError(e, 'ERR_NETWORK')) alertOps('authority unreachable')
 * ```
 */
export class NetworkError extends ApptokenError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_NETWORK', message, options)
  }
}

/**
 * A token request took longer than `timeoutMs` (on every attempt the retry policy allowed).
 *
 * @example
 * ```ts
 * createTokenProvider({ ..., timeoutMs: 5_000 })
 * ```
 */
export class TimeoutError extends ApptokenError {
  readonly timeoutMs: number
  constructor(timeoutMs: number, url: string) {
    super('ERR_TIMEOUT', `Token request to ${url} timed out after ${timeoutMs} ms`)
    this.timeoutMs = timeoutMs
  }
}

/**
 * The caller's `signal` aborted its wait. Other callers and the shared request are unaffected.
 *
 * @example
 * ```ts
 * await provider.getToken(scope, { signal: AbortSignal.timeout(100) }) // may reject with AbortError
 * ```
 */
export class AbortError extends ApptokenError {
  constructor(reason?: unknown) {
    super('ERR_ABORTED', 'The operation was aborted', reason === undefined ? undefined : { cause: reason })
  }
}

/**
 * The provider was closed: `getToken` after `close()`, or a token request `close()` aborted
 * while it ran (every caller waiting for it gets this error).
 *
 * @example
 * ```ts
 * process.on('SIGTERM', () => void provider.close()) // waiting getToken calls reject with ClosedError
 * ```
 */
export class ClosedError extends ApptokenError {
  constructor() {
    super('ERR_CLOSED', 'The token provider was closed')
  }
}

/**
 * The authority answered 200 with something that is not a usable token (not JSON, no
 * `access_token`, a nonsensical `expires_in`, an oversized body). Never cached.
 *
 * @example
 * ```ts
 * if (isApptokenError(e, 'ERR_INVALID_TOKEN_RESPONSE')) console.error(e.message)
 * ```
 */
export class InvalidTokenResponseError extends ApptokenError {
  constructor(message: string) {
    super('ERR_INVALID_TOKEN_RESPONSE', message)
  }
}

/**
 * True for a {@link TokenRequestError}, across realms.
 *
 * @example
 * ```ts
 * if (isTokenRequestError(e)) console.error(e.hint)
 * ```
 */
export function isTokenRequestError(value: unknown): value is TokenRequestError {
  return isApptokenError(value, 'ERR_TOKEN_REQUEST')
}

/**
 * True for a {@link ConfigurationError}, across realms.
 *
 * @example
 * ```ts
 * if (isConfigurationError(e)) console.error(`${e.option}: ${e.fix}`)
 * ```
 */
export function isConfigurationError(value: unknown): value is ConfigurationError {
  return isApptokenError(value, 'ERR_CONFIGURATION')
}
