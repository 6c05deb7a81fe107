import { ConfigurationError } from './errors.js'
import type { Clock, RetryOptions } from './types.js'

/**
 * The retry policy with its defaults filled in.
 *
 * @example
 * ```ts
 * const policy: RetryPolicy = resolveRetryPolicy({ maxRetries: 5 }, DEFAULT_RETRY)
 * ```
 */
export type RetryPolicy = Required<RetryOptions>

/** The growth of a backoff: first step and largest step. */
export type Backoff = Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>

/** Token endpoint retries: 3 within 60 s, from 500 ms. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
}

/** Managed identity retries: IMDS answers 404/410 for a minute or so while it boots or upgrades. */
export const MANAGED_IDENTITY_RETRY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxElapsedMs: 90_000,
}

const NO_RETRY: RetryPolicy = { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0, maxElapsedMs: 0 }

/**
 * The policy for a `retry` option: `false` for none, else `defaults` overridden by the given
 * fields, each checked to be a non-negative number.
 *
 * @example
 * ```ts
 * resolveRetryPolicy({ maxRetries: 5 }, DEFAULT_RETRY) // { maxRetries: 5, baseDelayMs: 500, ... }
 * resolveRetryPolicy(false, DEFAULT_RETRY)             // no retries
 * ```
 */
export function resolveRetryPolicy(
  retry: RetryOptions | false | undefined,
  defaults: RetryPolicy,
): RetryPolicy {
  if (retry === false) return NO_RETRY
  const policy = { ...defaults, ...retry }
  for (const [key, value] of Object.entries(policy)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigurationError(
        `retry.${key}`,
        `${JSON.stringify(value) ?? String(value)} is not a non-negative number`,
        `omit it to use the default (${defaults[key as keyof RetryPolicy]})`,
      )
    }
  }
  return policy
}

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
 * Exponential backoff with equal jitter for attempt number `retry` (0-based): the step
 * `min(maxDelayMs, baseDelayMs * 2^retry)`, half of it fixed and half random, so a delay is never
 * shorter than half its step and many clients still spread out.
 *
 * @example
 * ```ts
 * backoffDelay(0, { baseDelayMs: 500, maxDelayMs: 10_000 }) // 250..500
 * backoffDelay(3, { baseDelayMs: 500, maxDelayMs: 10_000 }) // 2000..4000
 * ```
 */
export function backoffDelay(retry: number, backoff: Backoff, random: () => number = Math.random): number {
  const step = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** retry)
  return Math.round(step / 2 + (random() * step) / 2)
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
 *
 * @example
 * ```ts
 * const res = await withRetry(() => http.request(req), { policy: DEFAULT_RETRY, clock, classify: () => ({ retryable: true }) })
 * ```
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
