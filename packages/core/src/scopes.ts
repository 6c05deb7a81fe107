import { ConfigurationError } from './errors.js'

const DEFAULT_SUFFIX = '/.default'
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The client-credentials scope of a resource: its identifier followed by `/.default`. A v1
 * resource whose audience ends with a slash keeps it, giving the double slash Entra needs.
 *
 * @example
 * ```ts
 * defaultScope('https://graph.microsoft.com')   // 'https://graph.microsoft.com/.default'
 * defaultScope('https://database.windows.net/') // 'https://database.windows.net//.default'
 * ```
 */
export function defaultScope(resource: string): string {
  const r = resource.trim()
  if (!r)
    throw new ConfigurationError(
      'resource',
      'it is empty',
      'pass the resource App ID URI, e.g. https://graph.microsoft.com',
    )
  return r.endsWith(DEFAULT_SUFFIX) ? r : r + DEFAULT_SUFFIX
}

/**
 * Splits a scope string or list into a sorted, de-duplicated list.
 *
 * @example
 * ```ts
 * normalizeScopes('https://graph.microsoft.com/.default api://my-api/.default')
 * // ['api://my-api/.default', 'https://graph.microsoft.com/.default']
 * ```
 */
export function normalizeScopes(scopes: string | readonly string[]): string[] {
  const list = typeof scopes === 'string' ? scopes.split(/\s+/) : scopes.flatMap((s) => s.split(/\s+/))
  return [...new Set(list.filter(Boolean))].sort()
}

function suggestion(scope: string): string {
  if (GUID.test(scope)) return defaultScope(scope)
  if (!/^[a-z][a-z0-9+.-]*:/i.test(scope)) return 'https://graph.microsoft.com/.default' // bare Graph permission such as User.Read
  let url: URL
  try {
    url = new URL(scope)
  } catch {
    return defaultScope(scope)
  }
  if (
    url.pathname === '' ||
    url.pathname === '/' ||
    (scope.startsWith('api://') && !scope.slice(6).includes('/'))
  ) {
    return defaultScope(scope)
  }
  return scope.slice(0, scope.lastIndexOf('/')) + DEFAULT_SUFFIX
}

/**
 * Checks the scopes of an Entra client-credentials request: exactly one resource, ending in
 * `/.default`. Throws a {@link ConfigurationError} showing the corrected scope.
 */
export function validateEntraScopes(scopes: readonly string[]): void {
  if (scopes.length === 0) {
    throw new ConfigurationError(
      'scopes',
      'no scope was given',
      'pass the resource followed by /.default, e.g. https://graph.microsoft.com/.default',
    )
  }
  const resources = [...new Set(scopes.map((s) => (s.endsWith(DEFAULT_SUFFIX) ? s : suggestion(s))))]
  if (resources.length > 1) {
    throw new ConfigurationError(
      'scopes',
      `a client-credentials token is for one resource, but ${scopes.map((s) => JSON.stringify(s)).join(' and ')} name ${resources.length}`,
      `request one token per resource: ${resources.map((r) => JSON.stringify(r)).join(', then ')}`,
    )
  }
  const bad = scopes.find((s) => !s.endsWith(DEFAULT_SUFFIX))
  if (bad !== undefined || scopes.length > 1) {
    const fixed = resources[0] ?? ''
    throw new ConfigurationError(
      'scopes',
      `${JSON.stringify(bad ?? scopes.join(' '))} is not a client-credentials scope; a daemon gets its application permissions through the resource's /.default scope`,
      `use ${JSON.stringify(fixed)}`,
    )
  }
}
