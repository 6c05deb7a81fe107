import { ConfigurationError, InvalidTokenResponseError } from './errors.js'
import type { HttpTransport } from './http.js'
import { secureUrlOption } from './urls.js'

/** What the provider needs from an OIDC / RFC 8414 discovery document. */
export interface DiscoveredServer {
  tokenEndpoint: string
  authMethodsSupported: readonly string[] | undefined
  /** `token_endpoint_auth_signing_alg_values_supported` (private_key_jwt, client_secret_jwt). */
  signingAlgsSupported?: readonly string[] | undefined
  /** `dpop_signing_alg_values_supported` (RFC 9449 §5.1). */
  dpopAlgsSupported?: readonly string[] | undefined
  /** `mtls_endpoint_aliases.token_endpoint` (RFC 8705 §5): where a client certificate is presented. */
  mtlsTokenEndpoint?: string | undefined
}

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((m): m is string => typeof m === 'string') : undefined

/** Reads `{issuer}/.well-known/openid-configuration` and checks it belongs to `issuer`. */
export async function discoverIssuer(
  issuer: string,
  http: HttpTransport,
  signal: AbortSignal,
): Promise<DiscoveredServer> {
  const url = `${issuer}/.well-known/openid-configuration`
  const res = await http.request({ url, method: 'GET', headers: { accept: 'application/json' }, signal })
  if (res.status !== 200) throw new InvalidTokenResponseError(`Discovery at ${url} answered ${res.status}`)
  let doc: {
    issuer?: unknown
    token_endpoint?: unknown
    token_endpoint_auth_methods_supported?: unknown
    token_endpoint_auth_signing_alg_values_supported?: unknown
    dpop_signing_alg_values_supported?: unknown
    mtls_endpoint_aliases?: { token_endpoint?: unknown }
  }
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
  const mtls = doc.mtls_endpoint_aliases?.token_endpoint
  return {
    tokenEndpoint: secureUrlOption('issuer (token_endpoint)', doc.token_endpoint),
    authMethodsSupported: strings(doc.token_endpoint_auth_methods_supported),
    signingAlgsSupported: strings(doc.token_endpoint_auth_signing_alg_values_supported),
    dpopAlgsSupported: strings(doc.dpop_signing_alg_values_supported),
    mtlsTokenEndpoint:
      typeof mtls === 'string'
        ? secureUrlOption('issuer (mtls_endpoint_aliases.token_endpoint)', mtls)
        : undefined,
  }
}
