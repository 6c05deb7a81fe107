import type { TokenParams } from './token-params.js'

/**
 * An app token as callers see it. `accessToken` is not enumerable, so `JSON.stringify(token)`,
 * `console.log(token)` and spreading never copy the bearer value by accident.
 *
 * @example
 * ```ts
 * const token = await provider.getToken('api://my-api/.default')
 * headers.set('authorization', `Bearer ${token.accessToken}`)
 * console.log(token) // accessToken shows as '[redacted]'
 * ```
 */
export interface AccessToken {
  readonly accessToken: string
  /** Usually `Bearer`. */
  readonly tokenType: string
  /** Epoch milliseconds at which the authority says the token expires. */
  readonly expiresAt: number
  /** Epoch milliseconds after which apptoken refreshes it in the background. */
  readonly refreshAt: number
  readonly scopes: readonly string[]
  /** Tenant the token was issued for (empty for non-Entra authorities). */
  readonly tenantId: string
  /** True when served from a cache rather than a token request made for this call. */
  readonly fromCache: boolean
}

/**
 * Per-call options of `provider.getToken`.
 *
 * @example
 * ```ts
 * await provider.getToken(scope, { tenantId: 'fabrikam.onmicrosoft.com', signal: AbortSignal.timeout(2_000) })
 * await provider.getToken(scope, { forceRefresh: true, rejectedToken: sent.accessToken }) // after a 401
 * ```
 */
export interface GetTokenOptions {
  /** Skip the cache and request a new token (concurrent forced calls still share one request). */
  forceRefresh?: boolean
  /**
   * With `forceRefresh` or `claims`: the token an API just rejected (an adapter's 401 retry). If
   * the cache already holds another token (someone refreshed meanwhile), that one is returned and
   * no request is made. Such refreshes are bounded: those for one rejected token within 10 s share
   * one request, and at most 5 a minute run per tenant+scopes; past that the cached token is
   * returned as is (the adapter then hands the 401 to its caller).
   */
  rejectedToken?: string
  /** Tenant for this call (multi-tenant daemons); must be allowed by `allowedTenants`. */
  tenantId?: string
  /** A claims challenge (JSON), e.g. from a CAE `WWW-Authenticate` header. Skips the cache. */
  claims?: string
  /**
   * Extra token-request parameters for this call (e.g. `{ audience }` for one of several APIs);
   * they replace `tokenParams` of the same name and are part of the cache key. The object is read
   * once: reuse it, do not change it.
   */
  params?: TokenParams
  /** Cancels this caller's wait only; the shared token request goes on for the others. */
  signal?: AbortSignal
}

/**
 * A console-like logger; `console` and pino both fit. Calls are `(fields, message)`. Never
 * receives a secret, assertion or token value.
 *
 * @example
 * ```ts
 * createTokenProvider({ tenantId, clientId, credential, logger: console }) // or a pino logger
 * ```
 */
export interface Logger {
  debug?(fields: Record<string, unknown>, message: string): void
  info?(fields: Record<string, unknown>, message: string): void
  warn?(fields: Record<string, unknown>, message: string): void
  error?(fields: Record<string, unknown>, message: string): void
}

/**
 * Time source and timer; replace it in tests to drive refresh and retry without waiting.
 *
 * @example
 * ```ts
 * let now = Date.now()
 * const clock: Clock = { now: () => now, sleep: async (ms) => void (now += ms) } // a test clock: no real waits
 * createTokenProvider({ tenantId, clientId, credential, clock })
 * ```
 */
export interface Clock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /**
   * Runs `callback` once after `ms` (a token request's `timeoutMs`) and returns a function that
   * cancels it. Optional: without it a real, unref'd `setTimeout` is used. A test clock can fire
   * it at once to test timeouts without waiting.
   */
  timer?(ms: number, callback: () => void): () => void
}

/**
 * Retry policy for token requests (network errors, 408, 429, 5xx).
 *
 * @example
 * ```ts
 * createTokenProvider({ tenantId, clientId, credential, retry: { maxRetries: 5, maxElapsedMs: 30_000 } })
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number
  /** First backoff step. Default 500 ms; each retry doubles it; a delay is half its step plus a random part of the other half (equal jitter). */
  baseDelayMs?: number
  /** Largest backoff step (a server's Retry-After may ask for more). Default 10 s. */
  maxDelayMs?: number
  /** Stop retrying once this much time has passed since the first attempt. Default 60 s. */
  maxElapsedMs?: number
}
