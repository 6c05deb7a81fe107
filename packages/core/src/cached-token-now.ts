import type { AccessToken, GetTokenOptions } from './types.js'

/**
 * The key of a provider's synchronous cache read, for adapters: `Symbol.for`, so two copies of
 * core (a duplicate install) still find each other's. Not part of the user API.
 */
export const cachedTokenNow: unique symbol = Symbol.for('apptoken.cachedTokenNow')

/**
 * A provider that can hand over a fresh cached token without a promise: what `getToken`'s hot path
 * would resolve to, or `undefined` when `getToken` has work to do (a miss, a token due for refresh,
 * `forceRefresh`, `claims`, an aborted signal).
 */
export interface CachedTokenNow {
  [cachedTokenNow](scopes: string | readonly string[], options?: GetTokenOptions): AccessToken | undefined
}

/** The provider's synchronous read, bound, or `undefined` for a provider without one (a user's own). */
export function cachedTokenReader(
  provider: object,
): ((scopes: string | readonly string[], options?: GetTokenOptions) => AccessToken | undefined) | undefined {
  const read = (provider as Partial<CachedTokenNow>)[cachedTokenNow]
  return typeof read === 'function' ? read.bind(provider) : undefined
}
