import type { ClientAuthentication, ClientCredential, CredentialContext } from '../credential.js'
import { ConfigurationError } from '../errors.js'
import { rememberSecret } from '../redact.js'
import { assertionForm } from './assertion.js'
import type { SecretSource } from './client-secret.js'
import { signJwtAssertion } from './jwt-assertion.js'

/**
 * HMAC algorithms of `client_secret_jwt`.
 *
 * @example
 * ```ts
 * clientSecretJwt(secret, { algorithm: 'HS512' satisfies HmacAlgorithm })
 * ```
 */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512'

/**
 * Options of {@link clientSecretJwt}.
 *
 * @example
 * ```ts
 * const options: ClientSecretJwtOptions = { algorithm: 'HS256' }
 * ```
 */
export interface ClientSecretJwtOptions {
  /** Default `HS256`. */
  algorithm?: HmacAlgorithm
}

const ALGORITHMS: readonly HmacAlgorithm[] = ['HS256', 'HS384', 'HS512']

class ClientSecretJwtCredential implements ClientCredential {
  readonly kind = 'client_secret_jwt'
  // Private fields: logging the credential never shows the secret.
  readonly #secret: SecretSource
  readonly #algorithm: HmacAlgorithm

  constructor(secret: SecretSource, algorithm: HmacAlgorithm) {
    this.#secret = secret
    this.#algorithm = algorithm
  }

  async authenticate(ctx: CredentialContext): Promise<ClientAuthentication> {
    const secret = typeof this.#secret === 'function' ? await this.#secret() : this.#secret
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new ConfigurationError(
        'clientSecretJwt',
        'the secret function returned an empty value',
        'return the client secret',
      )
    }
    rememberSecret(secret)
    const listed = ctx.signingAlgsSupported
    if (listed !== undefined && !listed.includes(this.#algorithm)) {
      throw new ConfigurationError(
        'clientSecretJwt.algorithm',
        `the server does not accept ${this.#algorithm} (its token_endpoint_auth_signing_alg_values_supported lists ${listed.join(', ') || 'nothing'})`,
        `pass one of the HS algorithms it lists`,
      )
    }
    const assertion = await signJwtAssertion(new TextEncoder().encode(secret), {
      clientId: ctx.clientId,
      audience: ctx.tokenEndpoint,
      nowMs: ctx.clock.now(),
      algorithm: this.#algorithm,
    })
    return { form: assertionForm(assertion) }
  }
}

/**
 * Authenticates with RFC 7523 `client_secret_jwt`: each token request carries a JWT client
 * assertion signed (HS256 by default) with the client secret, which itself never leaves the process.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({
 *   issuer: 'https://auth.example.com', clientId: 'billing-worker',
 *   credential: clientSecretJwt(process.env.CLIENT_SECRET!),
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export function clientSecretJwt(
  secret: SecretSource,
  options: ClientSecretJwtOptions = {},
): ClientCredential {
  if (typeof secret !== 'function' && (typeof secret !== 'string' || secret.length === 0)) {
    throw new ConfigurationError(
      'clientSecretJwt',
      'the secret is missing or empty',
      'pass the client secret (or a function returning it)',
    )
  }
  if (typeof secret === 'string') rememberSecret(secret)
  const algorithm = options.algorithm ?? 'HS256'
  if (!ALGORITHMS.includes(algorithm)) {
    throw new ConfigurationError(
      'clientSecretJwt.algorithm',
      `${JSON.stringify(algorithm)} is not an HMAC algorithm`,
      "use 'HS256' (default), 'HS384' or 'HS512'",
    )
  }
  return new ClientSecretJwtCredential(secret, algorithm)
}
