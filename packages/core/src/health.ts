import type { Entry } from './refresh-policy.js'

/**
 * One cached tenant+scopes in {@link ProviderHealth}.
 *
 * @example
 * ```ts
 * const late = provider.health().tokens.filter((t) => t.consecutiveFailures > 0)
 * ```
 */
export interface TokenHealth {
  tenantId: string
  scopes: readonly string[]
  /** When the cached token expires / is due for refresh (epoch ms); absent when none is cached. */
  expiresAt?: number
  refreshAt?: number
  /** Failed attempts (background refreshes, or requests that got no token) since the last success. */
  consecutiveFailures: number
  /** The last failure since the last success: its error `code`, Entra code and when (epoch ms). */
  lastError?: { code: string; aadsts?: string; at: number }
}

/**
 * What `provider.health()` returns, for a readiness probe. `ok`: every token is fresh or being
 * refreshed normally; `degraded`: a background refresh failed, but a valid token is still served;
 * `failing`: a request got no valid token and none has been obtained since.
 *
 * @example
 * ```ts
 * const ready = (): number => (provider.health().status === 'failing' ? 503 : 200) // a readiness probe's status code
 * ```
 */
export interface ProviderHealth {
  status: 'ok' | 'degraded' | 'failing'
  tokens: TokenHealth[]
}

interface Tracked {
  tenantId: string
  scopes: readonly string[]
  failures: number
  lastError: TokenHealth['lastError']
  /** The last request got no valid token (and nothing succeeded since). */
  failing: boolean
}

const errorOf = (error: unknown, at: number): NonNullable<TokenHealth['lastError']> => {
  const { code, aadsts } = error as { code?: unknown; aadsts?: unknown }
  return {
    code: typeof code === 'string' ? code : 'ERR_UNKNOWN',
    ...(typeof aadsts === 'string' && { aadsts }),
    at,
  }
}

/** Per-key outcomes of token requests, kept off the hot path (bounded like the cache). */
export class HealthTracker {
  readonly #keys = new Map<string, Tracked>()
  readonly #limit: number

  constructor(limit: number) {
    this.#limit = limit
  }

  #track(key: string, tenantId: string, scopes: readonly string[]): Tracked {
    let t = this.#keys.get(key)
    if (t === undefined) {
      if (this.#keys.size >= this.#limit) this.#keys.delete(this.#keys.keys().next().value!)
      t = { tenantId, scopes, failures: 0, lastError: undefined, failing: false }
      this.#keys.set(key, t)
    }
    return t
  }

  succeeded(key: string, tenantId: string, scopes: readonly string[]): void {
    const t = this.#track(key, tenantId, scopes)
    t.failures = 0
    t.lastError = undefined
    t.failing = false
  }

  /** A request failed; `stillValid` when a usable token is still served (a background refresh). */
  failed(
    key: string,
    tenantId: string,
    scopes: readonly string[],
    error: unknown,
    now: number,
    stillValid: boolean,
  ): void {
    const t = this.#track(key, tenantId, scopes)
    t.failures++
    t.lastError = errorOf(error, now)
    if (!stillValid) t.failing = true
  }

  /** Combines the outcomes with what the cache holds now (`entryOf` reads the in-process tier). */
  health(entryOf: (key: string) => Entry | undefined, now: number): ProviderHealth {
    let status: ProviderHealth['status'] = 'ok'
    const tokens: TokenHealth[] = []
    for (const [key, t] of this.#keys) {
      const entry = entryOf(key)
      const valid = entry !== undefined && now < entry.cached.expiresAt - entry.skewMs
      if (t.failing && !valid) status = 'failing'
      else if (t.failures > 0 && status === 'ok') status = 'degraded'
      tokens.push({
        tenantId: t.tenantId,
        scopes: t.scopes,
        ...(entry !== undefined && { expiresAt: entry.cached.expiresAt, refreshAt: entry.cached.refreshAt }),
        consecutiveFailures: t.failures,
        ...(t.lastError !== undefined && { lastError: t.lastError }),
      })
    }
    return { status, tokens }
  }
}
