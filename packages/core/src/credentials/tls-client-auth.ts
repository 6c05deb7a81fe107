import { createPrivateKey, X509Certificate } from 'node:crypto'
import type { ClientAuthentication, ClientCredential, Credential } from '../credential.js'
import { ConfigurationError } from '../errors.js'

/**
 * Options of {@link tlsClientAuth}: the client certificate and its key, as PEM.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs'
 * const options: TlsClientAuthOptions = { certificate: readFileSync('client.crt', 'utf8'), privateKey: readFileSync('client.key', 'utf8') }
 * ```
 */
export interface TlsClientAuthOptions {
  /** PEM client certificate (a chain may follow). */
  certificate: string | Buffer
  /** PEM private key of the certificate. */
  privateKey: string | Buffer
  /** Password of an encrypted private key. */
  passphrase?: string
  /** PEM CA certificate(s) to trust for the token endpoint (a private PKI); default: Node's CAs. */
  ca?: string | Buffer | readonly (string | Buffer)[]
}

/** What the provider's transport presents on the TLS connection of a token request. */
export interface ClientTls {
  cert: string | Buffer
  key: string | Buffer
  passphrase?: string
  ca?: string | Buffer | (string | Buffer)[]
}

const CLIENT_TLS = Symbol.for('apptoken.clientTls')

class TlsClientAuthCredential implements ClientCredential {
  readonly kind = 'tls_client_auth'
  readonly #tls: ClientTls
  constructor(tls: ClientTls) {
    this.#tls = tls
  }
  /** On the prototype, behind a symbol: logging the credential never shows the key. */
  get [CLIENT_TLS](): ClientTls {
    return this.#tls
  }
  authenticate(): Promise<ClientAuthentication> {
    return Promise.resolve({}) // the certificate on the connection is the proof; client_id goes in the form
  }
}

/** The TLS client certificate a credential presents, if it is a {@link tlsClientAuth} credential. */
export function clientTlsOf(credential: Credential): ClientTls | undefined {
  return credential instanceof TlsClientAuthCredential ? credential[CLIENT_TLS] : undefined
}

/**
 * Authenticates with mutual TLS (RFC 8705 `tls_client_auth` / `self_signed_tls_client_auth`):
 * token requests present the client certificate on the TLS connection, to the server's
 * `mtls_endpoint_aliases.token_endpoint` when `issuer` discovery gives one. The certificate and
 * key are checked at creation (a public key, or a key of another certificate, is a `ConfigurationError`).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs'
 * const provider = createTokenProvider({
 *   issuer: 'https://auth.example.com', clientId: 'billing-worker',
 *   credential: tlsClientAuth({ certificate: readFileSync('client.crt'), privateKey: readFileSync('client.key') }),
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2
 */
export function tlsClientAuth(options: TlsClientAuthOptions): ClientCredential {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      'tlsClientAuth',
      'no options were given',
      'pass { certificate, privateKey } (PEM)',
    )
  }
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(options.certificate)
  } catch {
    throw new ConfigurationError(
      'tlsClientAuth.certificate',
      'it is not a PEM certificate',
      'pass the PEM text of the client certificate',
    )
  }
  let key
  try {
    key = createPrivateKey(
      options.passphrase === undefined
        ? { key: options.privateKey, format: 'pem' }
        : { key: options.privateKey, format: 'pem', passphrase: options.passphrase },
    )
  } catch {
    throw new ConfigurationError(
      'tlsClientAuth.privateKey',
      'it is not a readable PEM private key (or the passphrase is wrong)',
      'pass the PEM private key of the client certificate',
    )
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new ConfigurationError(
      'tlsClientAuth.privateKey',
      'it is not the key of this certificate',
      'pass the key the certificate was issued for',
    )
  }
  const tls: ClientTls = { cert: options.certificate, key: options.privateKey }
  if (options.passphrase !== undefined) tls.passphrase = options.passphrase
  if (options.ca !== undefined)
    tls.ca = Array.isArray(options.ca)
      ? [...(options.ca as (string | Buffer)[])]
      : (options.ca as string | Buffer)
  return new TlsClientAuthCredential(tls)
}
