import { ConfigurationError } from '../errors.js'
import { isSecureUrl } from '../urls.js'

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
