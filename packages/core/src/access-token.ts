import { inspect } from 'node:util'
import type { CachedToken } from './cache.js'
import type { AccessToken } from './types.js'

const inspectToken = function (this: AccessToken, depth: number, options: object): string {
  const { tokenType, expiresAt, refreshAt, scopes, tenantId, fromCache } = this
  const shown = { accessToken: '[redacted]', tokenType, expiresAt, refreshAt, scopes, tenantId, fromCache }
  return depth < 0 ? '[AccessToken]' : `AccessToken ${inspect(shown, options)}`
}

/**
 * Builds the token object callers get. `accessToken` is non-enumerable and `util.inspect` shows
 * it as `[redacted]`, so logging or `JSON.stringify` of the object never reveals it.
 */
export function makeAccessToken(token: CachedToken, fromCache: boolean): AccessToken {
  const result = {
    tokenType: token.tokenType,
    expiresAt: token.expiresAt,
    refreshAt: token.refreshAt,
    scopes: token.scopes,
    tenantId: token.tenantId,
    fromCache,
  }
  Object.defineProperty(result, 'accessToken', { value: token.accessToken, enumerable: false })
  Object.defineProperty(result, inspect.custom, { value: inspectToken, enumerable: false })
  return Object.freeze(result) as unknown as AccessToken
}
