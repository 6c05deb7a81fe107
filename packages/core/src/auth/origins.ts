import { ConfigurationError } from '../errors.js'
import { isSecureUrl } from '../urls.js'
import type { AuthorizerContext } from './types.js'

/**
 * Builds the set of origins a token may be sent to: `origins` if given, else the client's base
 * URL. Each must be https, or http on loopback; with neither, attaching throws.
 *
 * @example
 * ```ts
 * resolveOrigins(undefined, 'https://api.contoso.com/v1/', 'my-client') // Set { 'https://api.contoso.com' }
 * resolveOrigins(['http://api.contoso.com'], undefined, 'my-client')   // throws ConfigurationError (plain http)
 * ```
 */
export function resolveOrigins(
  origins: readonly (string | URL)[] | undefined,
  baseUrl: string | URL | undefined,
  adapter: string,
  baseUrlOption?: string,
): ReadonlySet<string> {
  const list = origins ?? (baseUrl === undefined || baseUrl === '' ? [] : [baseUrl])
  if (origins !== undefined && !Array.isArray(origins)) {
    throw new ConfigurationError(
      'origins',
      'it must be a list of origins',
      "pass e.g. origins: ['https://api.contoso.com']",
    )
  }
  if (list.length === 0) {
    // Hooks built before the client (ky, got) cannot read its base URL: name their own option.
    throw new ConfigurationError(
      'origins',
      baseUrlOption
        ? `neither origins nor ${baseUrlOption} was given, so apptoken cannot tell which hosts may receive the token`
        : `${adapter} has no base URL, so apptoken cannot tell which hosts may receive the token`,
      baseUrlOption
        ? `pass origins: ['https://api.contoso.com'], or ${baseUrlOption}: the base URL you give ${adapter}`
        : "pass origins: ['https://api.contoso.com'] (the APIs this client calls), or set the client's base URL",
    )
  }
  const set = new Set<string>()
  for (const o of list) {
    let url: URL
    try {
      url = new URL(String(o))
    } catch {
      throw new ConfigurationError(
        'origins',
        `${JSON.stringify(String(o))} is not an absolute URL`,
        "pass origins such as 'https://api.contoso.com'",
      )
    }
    if (!isSecureUrl(url)) {
      throw new ConfigurationError(
        'origins',
        `${url.origin} is plain http; a bearer token sent there could be read on the network`,
        'use https (http is allowed only for localhost / 127.0.0.1)',
      )
    }
    set.add(url.origin)
  }
  return set
}

/** `url` as a URL, or `undefined` when it does not parse. */
export function toUrl(url: string | URL): URL | undefined {
  if (url instanceof URL) return url
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

/** Base URLs seen per request are few (one per client); bounded anyway. */
const MAX_BASE_URLS = 64

/** Which origins may get the token: fixed ones (`origins`, or the base URL known at attach time), else the request's base URL's. */
export class AllowedOrigins {
  readonly #fixed: readonly string[] | undefined
  readonly #byBaseUrl = new Map<string, readonly string[]>()
  #last: { key: string; origins: readonly string[] } | undefined
  /** The last URL allowed, and its base URL: the same request again is decided by one compare. */
  #lastAllowed: string | undefined
  #lastAllowedBase: string | undefined

  constructor(
    fixed: ReadonlySet<string> | undefined,
    private readonly context: AuthorizerContext,
  ) {
    this.#fixed = fixed && [...fixed]
  }

  /** The origins for a request (a missing base URL throws before sending). */
  #for(baseUrl: string | URL | undefined): readonly string[] {
    if (this.#fixed !== undefined) return this.#fixed
    const key = baseUrl === undefined ? '' : String(baseUrl)
    if (key === this.#last?.key) return this.#last.origins // one client's base, request after request
    let origins = this.#byBaseUrl.get(key)
    if (origins === undefined) {
      const { adapter, baseUrlOption } = this.context
      origins = [...resolveOrigins(undefined, baseUrl, adapter, baseUrlOption)]
      if (this.#byBaseUrl.size >= MAX_BASE_URLS) this.#byBaseUrl.clear()
      this.#byBaseUrl.set(key, origins)
    }
    this.#last = { key, origins }
    return origins
  }

  allows(url: string | URL, baseUrl?: string | URL): boolean {
    if (url === this.#lastAllowed && baseUrl === this.#lastAllowedBase) return true
    const origins = this.#for(baseUrl)
    // Fast path, no URL parsing: an allowed origin followed by '/', '?', '#' or nothing ends the
    // authority there, so the host is that origin's. Anything else is parsed below. (A URL's
    // `href` is its serialization: the same reasoning holds.)
    const href = typeof url === 'string' ? url : url.href
    for (let i = 0; i < origins.length; i++) {
      const origin = origins[i]!
      if (href.startsWith(origin)) {
        const next = href.charCodeAt(origin.length)
        if (Number.isNaN(next) || next === 47 || next === 63 || next === 35) {
          // Strings only: a URL object could change under the same reference.
          if (typeof url === 'string' && typeof baseUrl !== 'object') {
            this.#lastAllowed = url
            this.#lastAllowedBase = baseUrl
          }
          return true
        }
      }
    }
    const u = toUrl(url)
    return u !== undefined && origins.includes(u.origin) && isSecureUrl(u)
  }
}
