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

// Small numbers for each (authority, client) and each scope set, shared by every copy of this
// package in the realm: in-process keys stay short (memory per cached token) and never collide in a
// MemoryCache that several providers share.
const REGISTRY = Symbol.for('apptoken.keyNamespaces')
const registry: Map<string, number> = ((globalThis as { [REGISTRY]?: Map<string, number> })[REGISTRY] ??=
  new Map<string, number>())

/** Beyond this many, new ids keep their long form: the registry never grows without bound. */
const REGISTRY_LIMIT = 100_000

/** A small number for `id`, or `id` itself once the registry is full (it starts with `[`, never a digit). */
function numberFor(id: string): number | string {
  let n = registry.get(id)
  if (n === undefined) {
    if (registry.size >= REGISTRY_LIMIT) return id
    registry.set(id, (n = registry.size + 1))
  }
  return n
}

/** What one scopes argument resolves to, memoised so a cached call builds no string. */
export interface ScopeInfo {
  readonly scopes: string[]
  readonly scopeKey: string
  /** `<client namespace>.<scope set number>.`: the start of this scope set's in-process keys. */
  readonly keyPrefix: string
  /** The in-process key of the provider's own tenant. */
  readonly defaultKey: string
  /**
   * In-process keys of the other tenants seen with these scopes, by the tenantId callers pass.
   * Only tenants that passed validation as written (no surrounding spaces) are here.
   */
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
  /** The token-request parameters of these keys (`tokenParams` + a call's `params`), `''` for none. */
  paramsKey?: string
}

const SCOPE_MEMO_LIMIT = 10_000

/**
 * Turns `getToken`'s scopes and tenant into a cache key, validating each once: scope strings and
 * tenants already seen cost a Map lookup. In-process keys are short, `<n>.<m>.<tenant>`, with
 * numbers standing for the authority and client and for the scope set; the shared tier gets the
 * full {@link tokenCacheKey}.
 */
export class TokenKeys {
  readonly #o: TokenKeysOptions
  readonly #ns: number | string
  readonly #scopeMemo = new Map<string, ScopeInfo>()

  constructor(options: TokenKeysOptions) {
    this.#o = options
    const params = options.paramsKey ?? ''
    this.#ns = numberFor(
      JSON.stringify(
        params === ''
          ? ['client', options.authority, options.clientId]
          : ['client', options.authority, options.clientId, params],
      ),
    )
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
    if (
      typeof scopes !== 'string' &&
      !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string'))
    ) {
      throw new ConfigurationError(
        'scopes',
        'it must be a string or an array of strings',
        'pass e.g. "https://graph.microsoft.com/.default"',
      )
    }
    const list = normalizeScopes(scopes)
    if (this.#o.mode === 'entra') validateEntraScopes(list)
    else if (list.length === 0)
      throw new ConfigurationError(
        'scopes',
        'no scope was given',
        'pass the scopes the authorization server expects',
      )
    const scopeKey = list.join(' ')
    const keyPrefix = `${this.#ns}.${numberFor(JSON.stringify(['scopes', scopeKey]))}.`
    const info: ScopeInfo = {
      scopes: list,
      scopeKey,
      keyPrefix,
      defaultKey: keyPrefix + this.#o.tenantId.toLowerCase(),
      tenantKeys: new Map(),
    }
    if (memoKey !== undefined) {
      if (this.#scopeMemo.size >= SCOPE_MEMO_LIMIT) this.#scopeMemo.clear()
      this.#scopeMemo.set(memoKey, info)
    }
    return info
  }

  /** The tenant of a call, checked against `allowedTenants` (once per tenant and scopes). */
  tenant(info: ScopeInfo, tenantId: string | undefined): string {
    const o = this.#o
    if (tenantId === undefined || tenantId === o.tenantId) return o.tenantId
    if (info.tenantKeys.has(tenantId)) return tenantId
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
    return t
  }

  /** The cache key of `tenant` (from {@link tenant}) with these scopes; `asGiven` is how the caller spelled it. */
  key(info: ScopeInfo, tenant: string, asGiven: string | undefined): string {
    if (tenant === this.#o.tenantId) return info.defaultKey
    const known = info.tenantKeys.get(tenant)
    if (known !== undefined) return known
    // The prefix's parts are numbers or JSON arrays, so the tenant is whatever follows the prefix.
    const key = info.keyPrefix + tenant.toLowerCase()
    // A tenant written with spaces is validated on each call instead: the memo says "valid as written".
    if (asGiven === tenant) {
      if (info.tenantKeys.size >= this.#o.memoLimit) info.tenantKeys.clear()
      info.tenantKeys.set(tenant, key)
    }
    return key
  }

  /** The key of this token in a shared cache (the same in every process). */
  sharedKey(info: ScopeInfo, tenant: string): string {
    const key = tokenCacheKey(this.#o.authority, this.#o.clientId, tenant, info.scopeKey)
    const params = this.#o.paramsKey ?? ''
    // Keys without parameters stay as they were, so existing shared-cache entries still match.
    return params === '' ? key : `${key.slice(0, -1)},${JSON.stringify(params)}]`
  }
}
