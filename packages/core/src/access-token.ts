import { inspect } from 'node:util'
import type { CachedToken } from './cache.js'
import type { AccessToken } from './types.js'

/**
 * The token object callers get. The bearer value lives in a private field behind a prototype
 * getter: `JSON.stringify`, spreading and `Object.keys` never copy it, and `util.inspect` shows
 * `[redacted]`. Plain fields otherwise, so a cached token costs little memory.
 */
class AppAccessToken implements AccessToken {
  readonly #accessToken: string
  readonly tokenType: string
  readonly expiresAt: number
  readonly refreshAt: number
  readonly scopes: readonly string[]
  readonly tenantId: string
  readonly fromCache: boolean

  constructor(token: CachedToken, fromCache: boolean) {
    this.#accessToken = token.accessToken
    this.tokenType = token.tokenType
    this.expiresAt = token.expiresAt
    this.refreshAt = token.refreshAt
    this.scopes = token.scopes
    this.tenantId = token.tenantId
    this.fromCache = fromCache
    Object.freeze(this)
  }

  get accessToken(): string {
    return this.#accessToken
  }

  [inspect.custom](depth: number, options: object): string {
    const { tokenType, expiresAt, refreshAt, scopes, tenantId, fromCache } = this
    const shown = { accessToken: '[redacted]', tokenType, expiresAt, refreshAt, scopes, tenantId, fromCache }
    return depth < 0 ? '[AccessToken]' : `AccessToken ${inspect(shown, options)}`
  }
}

/**
 * Builds the token object callers get; logging it or `JSON.stringify` never reveals the token.
 *
 * @example
 * ```ts
 * const token = makeAccessToken(cached, true)
 * JSON.stringify(token) // no accessToken in it
 * ```
 */
export function makeAccessToken(token: CachedToken, fromCache: boolean): AccessToken {
  return new AppAccessToken(token, fromCache)
}
