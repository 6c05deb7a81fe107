import { checkTenant } from './options.js'
import { ConfigurationError } from './errors.js'
import { normalizeScopes, validateEntraScopes } from './scopes.js'

/**
 * The cache key of one token: authority, client, tenant and scopes. Encoded as a JSON array, so
 * no value can end inside another (`clientId 'c1' + scope '|x'` and `clientId 'c1|' + scope 'x'`
 * are different keys). The shared cache hashes it; nothing else reads it.
 *
 * @example
 * ```ts
 * tokenCacheKey('https://login.microsoftonline.com', 'c1', 'contoso.com', 'api://a/.default')
 * // '["https://login.microsoftonline.com","c1","contoso.com","api://a/.default"]'
 * ```
 */
export function tokenCacheKey(authority: string, clientId: string, tenant: string, scopeKey: string): string {
  return JSON.stringify([authority, clientId, tenant.toLowerCase(), scopeKey])
}

/** What one scopes argument resolves to, memoised so a cached call builds no string. */
export interface ScopeInfo {
  readonly scopes: string[]
  readonly scopeKey: string
  readonly defaultKey: string
  /** Cache keys of the other tenants seen with these scopes, by the tenantId callers pass. */
  readonly tenantKeys: Map<string, string>
}

/** What {@link TokenKeys} needs to know about its provider. */
export interface TokenKeysOptions {
  authority: string
  clientId: string
  tenantId: string
  mode: 'entra' | 'generic'
  allowedTenants: ReadonlySet<string> | '*'
  /** Most tenants remembered (the provider passes twice its cache size). */
  memoLimit: number
}

const SCOPE_MEMO_LIMIT = 10_000

/**
 * Turns `getToken`'s scopes and tenant into a cache key, validating each once: scope strings and
 * tenants already seen cost a Map lookup.
 */
export class TokenKeys {
  readonly #o: TokenKeysOptions
  readonly #scopeMemo = new Map<string, ScopeInfo>()
  readonly #tenantMemo = new Set<string>()

  constructor(options: TokenKeysOptions) {
    this.#o = options
    this.#tenantMemo.add(options.tenantId)
  }

  /**
   * The key of a call that passes these (string) scopes and tenant, if both were seen before;
   * `undefined` sends the caller to the slow path, which validates and remembers them.
   */
  known(scopes: string, tenantId: string | undefined): string | undefined {
    const info = this.#scopeMemo.get(scopes)
    if (info === undefined) return undefined
    return tenantId === undefined || tenantId === this.#o.tenantId
      ? info.defaultKey
      : info.tenantKeys.get(tenantId)
  }

  /** Validates and normalises scopes (memoised for strings). */
  scopeInfo(scopes: string | readonly string[]): ScopeInfo {
    const memoKey = typeof scopes === 'string' ? scopes : undefined
    const known = memoKey === undefined ? undefined : this.#scopeMemo.get(memoKey)
    if (known) return known
    if (typeof scopes !== 'string' && !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string'))) {
      throw new ConfigurationError(
        'scopes',
        'it must be a string or an array of strings',
        'pass e.g. "https://graph.microsoft.com/.default"',
      )
    }
    const list = normalizeScopes(scopes)
    if (this.#o.mode === 'entra') validateEntraScopes(list)
    else if (list.length === 0)
      throw new ConfigurationError('scopes', 'no scope was given', 'pass the scopes the authorization server expects')
    const scopeKey = list.join(' ')
    const info: ScopeInfo = {
      scopes: list,
      scopeKey,
      defaultKey: this.#key(this.#o.tenantId, scopeKey),
      tenantKeys: new Map(),
    }
    if (memoKey !== undefined) {
      if (this.#scopeMemo.size >= SCOPE_MEMO_LIMIT) this.#scopeMemo.clear()
      this.#scopeMemo.set(memoKey, info)
    }
    return info
  }

  /** The tenant of a call, checked against `allowedTenants` (once per tenant). */
  tenant(tenantId: string | undefined): string {
    const o = this.#o
    if (tenantId === undefined || tenantId === o.tenantId) return o.tenantId
    if (this.#tenantMemo.has(tenantId)) return tenantId
    if (o.mode === 'generic')
      throw new ConfigurationError(
        'tenantId',
        'per-call tenants apply to Entra authorities only',
        'remove tenantId from the call',
      )
    const t = checkTenant('tenantId', tenantId)
    if (o.allowedTenants !== '*' && !o.allowedTenants.has(t.toLowerCase())) {
      throw new ConfigurationError(
        'allowedTenants',
        `tenant "${t}" is not allowed for this provider`,
        `add it to allowedTenants, or pass allowedTenants: '*' to allow any tenant`,
      )
    }
    if (this.#tenantMemo.size >= o.memoLimit) this.#tenantMemo.clear()
    this.#tenantMemo.add(t)
    return t
  }

  /** The cache key of `tenant` (from {@link tenant}) with these scopes; `asGiven` is how the caller spelled it. */
  key(info: ScopeInfo, tenant: string, asGiven: string | undefined): string {
    if (tenant === this.#o.tenantId) return info.defaultKey
    const known = info.tenantKeys.get(tenant)
    if (known !== undefined) return known
    const key = this.#key(tenant, info.scopeKey)
    if (info.tenantKeys.size >= this.#o.memoLimit) info.tenantKeys.clear()
    info.tenantKeys.set(tenant, key)
    if (asGiven !== undefined) info.tenantKeys.set(asGiven, key)
    return key
  }

  #key(tenant: string, scopeKey: string): string {
    return tokenCacheKey(this.#o.authority, this.#o.clientId, tenant, scopeKey)
  }
}
