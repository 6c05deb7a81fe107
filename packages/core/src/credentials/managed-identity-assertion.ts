import { AzureCloud } from '../clouds.js'
import type {
  ClientAuthentication,
  ClientCredential,
  CredentialContext,
  TokenSourceCredential,
} from '../credential.js'
import { ConfigurationError } from '../errors.js'
import { assertionForm } from './assertion.js'

/** Default audience of federated credentials in Entra ID (public cloud). */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange'

/** The token exchange audience of each cloud, by authority host. */
const AUDIENCES: Readonly<Record<string, string>> = {
  [AzureCloud.Public]: TOKEN_EXCHANGE_AUDIENCE,
  [AzureCloud.USGovernment]: 'api://AzureADTokenExchangeUSGov',
  [AzureCloud.China]: 'api://AzureADTokenExchangeChina',
}

/**
 * Options of {@link managedIdentityAssertion}.
 *
 * @example
 * ```ts
 * managedIdentityAssertion(managedIdentity(), { audience: 'api://AzureADTokenExchange' })
 * ```
 */
export interface ManagedIdentityAssertionOptions {
  /**
   * The audience the app's federated credential expects. Default by the provider's cloud:
   * `api://AzureADTokenExchange`, `api://AzureADTokenExchangeUSGov` (US Government),
   * `api://AzureADTokenExchangeChina` (China).
   */
  audience?: string
}

class ManagedIdentityAssertionCredential implements ClientCredential {
  readonly kind = 'managed_identity_assertion'
  readonly #identity: TokenSourceCredential
  readonly #audience: string | undefined

  constructor(identity: TokenSourceCredential, audience: string | undefined) {
    this.#identity = identity
    this.#audience = audience
  }

  async authenticate(ctx: CredentialContext): Promise<ClientAuthentication> {
    const host = ctx.authorityHost?.replace(/\/+$/, '')
    const audience =
      this.#audience ?? (host === undefined ? undefined : AUDIENCES[host]) ?? TOKEN_EXCHANGE_AUDIENCE
    // The managed identity's token for the exchange audience is the app's client assertion.
    const token = await this.#identity.getToken({
      ...ctx,
      scopes: [`${audience.replace(/\/+$/, '')}/.default`],
      claims: undefined,
      rejectedToken: undefined,
    })
    return { form: assertionForm(token.accessToken) }
  }
}

/**
 * A managed identity's token as the client assertion of an app registration that trusts that
 * identity through a federated credential: the secretless way to run a multi-tenant app
 * (`SignedAssertionFromManagedIdentity` in Microsoft.Identity.Web).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @example
 * ```ts
 * createTokenProvider({
 *   tenantId: 'fabrikam.onmicrosoft.com', clientId: '<multi-tenant app id>',
 *   credential: managedIdentityAssertion(managedIdentity({ clientId: process.env.MI_CLIENT_ID! })),
 * })
 * ```
 */
export function managedIdentityAssertion(
  identity: TokenSourceCredential,
  options: ManagedIdentityAssertionOptions = {},
): ClientCredential {
  if (typeof identity?.getToken !== 'function')
    throw new ConfigurationError(
      'identity',
      'it is not a managed identity credential',
      'pass managedIdentity(...)',
    )
  const audience = options.audience
  if (audience !== undefined && (typeof audience !== 'string' || audience.trim() === ''))
    throw new ConfigurationError(
      'audience',
      'it is empty',
      'omit it to use the default audience of your cloud',
    )
  return new ManagedIdentityAssertionCredential(identity, audience?.trim())
}
