import type { ClientAuthentication, ClientCredential, CredentialContext } from '../credential.js'
import { ConfigurationError } from '../errors.js'
import { assertionForm } from './assertion.js'
import { signJwtAssertion } from './jwt-assertion.js'
import {
  chooseAlgorithm,
  importSigningKey,
  type PrivateKeyInput,
  type SigningAlgorithm,
  type SigningKey,
} from './signing-key.js'

/**
 * Options of {@link privateKeyJwt}.
 *
 * @example
 * ```ts
 * privateKeyJwt(process.env.CLIENT_KEY_PEM!, { kid: 'worker-2026', algorithm: 'ES256' })
 * ```
 */
export interface PrivateKeyJwtOptions {
  /** The `kid` header: the id the server registered the public key under. Default: the JWK's `kid`. */
  kid?: string
  /**
   * Default: from the key (RS256 for RSA, ES256/ES384/ES512 by curve, EdDSA for Ed25519) and, with
   * `issuer` discovery, the first the server lists in `token_endpoint_auth_signing_alg_values_supported`.
   */
  algorithm?: SigningAlgorithm
  /** Password of an encrypted PEM key. */
  passphrase?: string
}

class PrivateKeyJwtCredential implements ClientCredential {
  readonly kind = 'private_key_jwt'
  readonly #key: SigningKey
  readonly #algorithm: SigningAlgorithm | undefined
  readonly #kid: string | undefined

  constructor(key: SigningKey, algorithm: SigningAlgorithm | undefined, kid: string | undefined) {
    this.#key = key
    this.#algorithm = algorithm
    this.#kid = kid
  }

  async authenticate(ctx: CredentialContext): Promise<ClientAuthentication> {
    const algorithm = chooseAlgorithm(
      'privateKeyJwt',
      this.#key,
      this.#algorithm,
      ctx.signingAlgsSupported,
      'token_endpoint_auth_signing_alg_values_supported',
    )
    const assertion = await signJwtAssertion(this.#key.key, {
      clientId: ctx.clientId,
      audience: ctx.tokenEndpoint,
      nowMs: ctx.clock.now(),
      algorithm,
      kid: this.#kid,
    })
    return { form: assertionForm(assertion) }
  }
}

/**
 * Authenticates with `private_key_jwt` and a bare key registered with the server (Okta, Keycloak,
 * Auth0, any OIDC server): each token request carries a freshly signed JWT client assertion. The
 * key (PEM, private JWK or `KeyObject`; RSA, EC P-256/P-384/P-521 or Ed25519) is imported once;
 * a public key, an unsupported curve or an algorithm the key cannot do is a `ConfigurationError` here.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({
 *   issuer: 'https://dev-123.okta.com/oauth2/default', clientId: 'billing-worker',
 *   credential: privateKeyJwt(JSON.parse(process.env.CLIENT_JWK!)), // kid and algorithm from the JWK
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export function privateKeyJwt(key: PrivateKeyInput, options: PrivateKeyJwtOptions = {}): ClientCredential {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      'privateKeyJwt',
      'its options are not an object',
      'pass { kid?, algorithm? }',
    )
  }
  const signing = importSigningKey('privateKeyJwt', key, options.passphrase)
  const jwkAlg = typeof key === 'object' && !Buffer.isBuffer(key) && 'kty' in key ? key.alg : undefined
  const algorithm = options.algorithm ?? (jwkAlg as SigningAlgorithm | undefined)
  // An algorithm the key cannot do fails now, not at the first request.
  if (algorithm !== undefined) chooseAlgorithm('privateKeyJwt', signing, algorithm, undefined, '')
  if (options.kid !== undefined && (typeof options.kid !== 'string' || options.kid === '')) {
    throw new ConfigurationError(
      'privateKeyJwt.kid',
      'it is not a non-empty string',
      'pass the key id registered with the server, or omit it',
    )
  }
  return new PrivateKeyJwtCredential(signing, algorithm, options.kid ?? signing.kid)
}
