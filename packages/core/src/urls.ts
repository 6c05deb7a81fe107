import { ConfigurationError } from './errors.js'

/**
 * True for localhost, 127.0.0.0/8 and ::1: the only hosts that may be reached over plain http.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1') // true
 * isLoopbackHost('[::1]') // true
 * isLoopbackHost('api.contoso.com') // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  // Not `*.localhost`: the system resolver need not map those names to 127.0.0.1.
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/**
 * True when credentials may travel to this URL: https, or http to a loopback host.
 *
 * @example
 * ```ts
 * isSecureUrl(new URL('https://api.contoso.com')) // true
 * isSecureUrl(new URL('http://localhost:8080/token')) // true
 * isSecureUrl(new URL('http://api.contoso.com')) // false
 * ```
 */
export function isSecureUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
}

/** Parses an option that must be an https URL (http only on loopback), without a trailing slash. */
export function secureUrlOption(option: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigurationError(
      option,
      `${JSON.stringify(value)} is not an absolute URL`,
      'pass a full https URL, e.g. https://login.microsoftonline.com',
    )
  }
  if (!isSecureUrl(url)) {
    throw new ConfigurationError(
      option,
      `${url.origin} is not https; credentials would travel in clear text`,
      'use https (plain http is allowed only for localhost / 127.0.0.1 test servers)',
    )
  }
  if (url.search || url.hash) {
    throw new ConfigurationError(
      option,
      'it has a query or fragment',
      'pass the URL without ?query or #fragment',
    )
  }
  return url.href.replace(/\/+$/, '')
}
