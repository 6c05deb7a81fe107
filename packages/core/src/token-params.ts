import { ConfigurationError } from './errors.js'

/**
 * Extra parameters of a token request: `audience` (Auth0), `resource` (RFC 8707, several
 * values allowed), or anything else a server asks for. A list sends the name once per value.
 *
 * @example
 * ```ts
 * const auth0: TokenParams = { audience: 'https://api.example.com' }
 * const rfc8707: TokenParams = { resource: ['https://orders.example.com', 'https://billing.example.com'] }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export type TokenParams = Readonly<Record<string, string | readonly string[]>>

/** Names the provider and its credential set; a parameter of that name would change who asks or how. */
const RESERVED = new Set(['grant_type', 'client_id', 'client_secret', 'scope', 'claims'])

/** Parameters after checking: sorted by name, one entry per name, values as lists. */
export interface CheckedParams {
  readonly entries: readonly (readonly [string, readonly string[]])[]
  /** A stable text of the entries (`''` when there are none), part of the cache key. */
  readonly key: string
}

/** No parameters. */
export const NO_PARAMS: CheckedParams = { entries: [], key: '' }

/**
 * Checks `tokenParams` or a call's `params`; `option` names it in errors. Values are never quoted
 * (a server may take a secret as a parameter).
 */
export function checkTokenParams(option: string, params: unknown): CheckedParams {
  if (params === undefined) return NO_PARAMS
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new ConfigurationError(
      option,
      'it is not an object',
      "pass e.g. { audience: 'https://api.example.com' }",
    )
  }
  const entries: [string, readonly string[]][] = []
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    const lower = name.toLowerCase()
    if (RESERVED.has(lower) || lower.startsWith('client_assertion')) {
      throw new ConfigurationError(
        `${option}.${name}`,
        'apptoken sets this parameter itself',
        'remove it: scopes go in the scopes argument, client authentication in the credential',
      )
    }
    if (!/^[\x21-\x7e]+$/.test(name)) {
      throw new ConfigurationError(
        option,
        'a parameter name is empty or has spaces, control or non-ASCII characters',
        'use plain names such as audience',
      )
    }
    const list = typeof value === 'string' ? [value] : value
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
      throw new ConfigurationError(
        `${option}.${name}`,
        'its value is neither a string nor a non-empty list of strings',
        "pass e.g. 'https://api.example.com' or ['https://a.example.com', 'https://b.example.com']",
      )
    }
    entries.push([name, Object.freeze([...(list as string[])])])
  }
  if (entries.length === 0) return NO_PARAMS
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return { entries, key: JSON.stringify(entries) }
}

/**
 * The parameters one request sends: the call's `params` replace `tokenParams` of the same name
 * (one value per name is sent, never both).
 */
export function mergeTokenParams(base: CheckedParams, call: CheckedParams): CheckedParams {
  if (call.entries.length === 0) return base
  if (base.entries.length === 0) return call
  const merged = new Map<string, readonly string[]>(base.entries)
  for (const [name, values] of call.entries) merged.set(name, values)
  const entries = [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return { entries, key: JSON.stringify(entries) }
}
