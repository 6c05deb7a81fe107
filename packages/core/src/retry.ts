import type { Clock, RetryOptions } from './types.js'

/** The retry policy with its defaults filled in. */
export type RetryPolicy = Required<RetryOptions>

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
}
export const NO_RETRY: RetryPolicy = { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0, maxElapsedMs: 0 }

/**
 * Statuses worth another attempt: timeouts, throttling and server errors, never 4xx answers.
 *
 * @example
 * ```ts
 * isRetryableStatus(503) // true
 * isRetryableStatus(401) // false
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599)
}

/**
 * Response headers as undici and node:http give them.
 *
 * @example
 * ```ts
 * const headers: HeaderBag = { 'retry-after': '5', 'set-cookie': ['a=1', 'b=2'] } // lower-case names
 * parseRetryAfter(headers, Date.now()) // 5000
 * ```
 */
export type HeaderBag = Record<string, string | string[] | undefined>

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/**
 * The delay a server asked for, in ms: `retry-after-ms`, `x-ms-retry-after-ms`, then
 * `Retry-After` as seconds or an HTTP date. `undefined` when absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter({ 'retry-after': '5' }, Date.now())                            // 5000
 * parseRetryAfter({ 'x-ms-retry-after-ms': '1500' }, Date.now())                 // 1500
 * parseRetryAfter({ 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }, Date.now()) // ms until that date; 0 once past
 * ```
 */
export function parseRetryAfter(headers: HeaderBag, now: number): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = header(headers, name)
    if (v !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.max(0, Number(v))
  }
  const ra = header(headers, 'retry-after')?.trim()
  if (!ra) return undefined
  if (/^\d+(\.\d+)?$/.test(ra)) return Number(ra) * 1000
  const date = Date.parse(ra)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Exponential backoff with full jitter for retry number `retry` (0-based). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** How an attempt failed, as the retry loop needs to know it. */
export interface AttemptFailure {
  retryable: boolean
  retryAfterMs?: number | undefined
}

/**
 * Runs `attempt` until it succeeds, `classify` says the error is final, or the policy's count or
 * time budget is spent. A server's Retry-After wins over the computed backoff; if it would take
 * us past the time budget we stop and report the error rather than wait.
 */
export async function withRetry<T>(
  attempt: (retry: number) => Promise<T>,
  options: {
    policy: RetryPolicy
    clock: Clock
    classify: (error: unknown) => AttemptFailure
    onRetry?: (info: { retry: number; delayMs: number; error: unknown }) => void
    signal?: AbortSignal
  },
): Promise<T> {
  const { policy, clock } = options
  const start = clock.now()
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry)
    } catch (error) {
      const failure = options.classify(error)
      if (!failure.retryable || retry >= policy.maxRetries) throw error
      const delayMs = failure.retryAfterMs ?? backoffDelay(retry, policy)
      if (clock.now() - start + delayMs > policy.maxElapsedMs) throw error
      options.onRetry?.({ retry: retry + 1, delayMs, error })
      await clock.sleep(delayMs, options.signal)
    }
  }
}
