import type {
  ClientAuthentication,
  ClientCredential,
  CredentialContext,
  TokenSourceCredential,
} from '../credential.js'
import { assertionForm } from './assertion.js'

/** Default audience of federated credentials in Entra ID. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange'

class ManagedIdentityAssertionCredential implements ClientCredential {
  readonly kind = 'managed_identity_assertion'
  readonly #identity: TokenSourceCredential
  readonly #scopes: readonly string[]

  constructor(identity: TokenSourceCredential, audience: string) {
    this.#identity = identity
    this.#scopes = [`${audience.replace(/\/+$/, '')}/.default`]
  }

  async authenticate(ctx: CredentialContext): Promise<ClientAuthentication> {
    // The managed identity's token for the exchange audience is the app's client assertion.
    const token = await this.#identity.getToken({ ...ctx, scopes: this.#scopes, claims: undefined })
    return { form: assertionForm(token.accessToken) }
  }
}

/**
 * Uses a managed identity token (audience `api://AzureADTokenExchange`) as the client assertion of
 * an app registration that trusts that identity through a federated credential
 * (`SignedAssertionFromManagedIdentity` in Microsoft.Identity.Web).
 */
export function managedIdentityAssertion(
  identity: TokenSourceCredential,
  audience: string = TOKEN_EXCHANGE_AUDIENCE,
): ClientCredential {
  return new ManagedIdentityAssertionCredential(identity, audience)
}
