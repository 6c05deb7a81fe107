import { ConfigurationError, InvalidTokenResponseError } from './errors.js'
import type { HttpTransport } from './http.js'
import { secureUrlOption } from './urls.js'

/** What the provider needs from an OIDC / RFC 8414 discovery document. */
export interface DiscoveredServer {
  tokenEndpoint: string
  authMethodsSupported: readonly string[] | undefined
}

/** Reads `{issuer}/.well-known/openid-configuration` and checks it belongs to `issuer`. */
export async function discoverIssuer(
  issuer: string,
  http: HttpTransport,
  signal: AbortSignal,
): Promise<DiscoveredServer> {
  const url = `${issuer}/.well-known/openid-configuration`
  const res = await http.request({ url, method: 'GET', headers: { accept: 'application/json' }, signal })
  if (res.status !== 200) throw new InvalidTokenResponseError(`Discovery at ${url} answered ${res.status}`)
  let doc: { issuer?: unknown; token_endpoint?: unknown; token_endpoint_auth_methods_supported?: unknown }
  try {
    doc = JSON.parse(res.body) as typeof doc
  } catch {
    throw new InvalidTokenResponseError(`Discovery at ${url} did not answer JSON`)
  }
  if (typeof doc.issuer === 'string' && doc.issuer.replace(/\/+$/, '') !== issuer) {
    throw new ConfigurationError(
      'issuer',
      `the server says its issuer is ${doc.issuer}, not ${issuer}`,
      `pass issuer: '${doc.issuer}'`,
    )
  }
  if (typeof doc.token_endpoint !== 'string')
    throw new InvalidTokenResponseError(`Discovery at ${url} has no token_endpoint`)
  const methods = doc.token_endpoint_auth_methods_supported
  return {
    tokenEndpoint: secureUrlOption('issuer (token_endpoint)', doc.token_endpoint),
    authMethodsSupported: Array.isArray(methods)
      ? methods.filter((m): m is string => typeof m === 'string')
      : undefined,
  }
}
