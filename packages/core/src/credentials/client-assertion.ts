import type { ClientAuthentication, ClientCredential, CredentialContext } from '../credential.js'
import { ConfigurationError } from '../errors.js'
import { assertionForm } from './assertion.js'

/**
 * What a {@link clientAssertion} callback is told about the token request it signs for.
 *
 * @example
 * ```ts
 * clientAssertion(({ audience, clientId }) => signer.sign({ aud: audience, iss: clientId, sub: clientId }))
 * ```
 */
export interface AssertionRequest {
  /** The exact token endpoint URL: the audience the authority expects. */
  audience: string
  clientId: string
  /** Tenant of this token request ('' for non-Entra authorities). */
  tenantId: string
  /** Aborts when the token request is abandoned. */
  signal: AbortSignal
}

/**
 * Returns a signed JWT (from another identity provider, a vault, a signing service...).
 *
 * @example
 * ```ts
 * const fromFile: AssertionCallback = () => readFile('/var/run/secrets/token', 'utf8')
 * ```
 */
export type AssertionCallback = (request: AssertionRequest) => string | Promise<string>

class AssertionCredential implements ClientCredential {
  readonly kind = 'client_assertion'
  readonly #callback: AssertionCallback

  constructor(callback: AssertionCallback) {
    this.#callback = callback
  }

  async authenticate(ctx: CredentialContext): Promise<ClientAuthentication> {
    const assertion = await this.#callback({
      audience: ctx.tokenEndpoint,
      clientId: ctx.clientId,
      tenantId: ctx.tenantId,
      signal: ctx.signal,
    })
    if (typeof assertion !== 'string' || assertion.trim() === '') {
      throw new ConfigurationError(
        'clientAssertion',
        'the callback returned no assertion',
        'return the signed JWT as a string',
      )
    }
    return { form: assertionForm(assertion.trim()) }
  }
}

/**
 * Authenticates with a client assertion your code provides: a federated credential from another
 * issuer (GitHub Actions OIDC, another cloud, SPIFFE) or a JWT signed elsewhere (a KMS, an HSM).
 * The callback runs only when a token request is made, never on a cache hit.
 *
 * @example
 * ```ts
 * const credential = clientAssertion(async ({ signal }) => {
 *   const res = await fetch(`${process.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange`, {
 *     headers: { authorization: `Bearer ${process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }, signal,
 *   })
 *   return ((await res.json()) as { value: string }).value
 * })
 * ```
 */
export function clientAssertion(getAssertion: AssertionCallback): ClientCredential {
  if (typeof getAssertion !== 'function') {
    throw new ConfigurationError(
      'clientAssertion',
      'it is not a function',
      'pass an async function that returns the signed JWT, e.g. clientAssertion(async ({ audience }) => getJwt(audience))',
    )
  }
  return new AssertionCredential(getAssertion)
}
