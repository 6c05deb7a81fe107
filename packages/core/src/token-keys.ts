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
