import type { ClientAuthentication, ClientCredential, CredentialContext } from '../credential.js'
import { ConfigurationError } from '../errors.js'
import { rememberSecret } from '../redact.js'

/**
 * How the secret is presented to the token endpoint.
 *
 * @example
 * ```ts
 * const authMethod: SecretAuthMethod = process.env.TOKEN_AUTH_BASIC ? 'client_secret_basic' : 'client_secret_post'
 * clientSecret(process.env.CLIENT_SECRET!, { authMethod })
 * ```
 */
export type SecretAuthMethod = 'client_secret_post' | 'client_secret_basic'

/**
 * Options of {@link clientSecret}.
 *
 * @example
 * ```ts
 * clientSecret(process.env.CLIENT_SECRET!, { authMethod: 'client_secret_basic' }) // Authorization: Basic
 * ```
 */
export interface ClientSecretOptions {
  /** Default `client_secret_post`; with `issuer` discovery, chosen from what the server supports. */
  authMethod?: SecretAuthMethod
}

/**
 * A secret value, or a function that returns the current one (read on every token request).
 *
 * @example
 * ```ts
 * clientSecret(process.env.AZURE_CLIENT_SECRET!)                                            // a fixed value
 * clientSecret(async () => (await readFile('/run/secrets/client-secret', 'utf8')).trim()) // read per request
 * ```
 */
export type SecretSource = string | (() => string | Promise<string>)

// RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)

class ClientSecretCredential implements ClientCredential {
  readonly kind = 'client_secret'
  readonly #secret: SecretSource
  readonly #method: SecretAuthMethod | undefined

  constructor(secret: SecretSource, method: SecretAuthMethod | undefined) {
    this.#secret = secret
    this.#method = method
  }

  async authenticate(ctx: CredentialContext): Promise<ClientAuthentication> {
    const secret = typeof this.#secret === 'function' ? await this.#secret() : this.#secret
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new ConfigurationError(
        'credential',
        'the client secret function returned an empty value',
        'return the secret Value',
      )
    }
    rememberSecret(secret)
    const method = this.#method ?? pickMethod(ctx.authMethodsSupported)
    if (method === 'client_secret_basic') {
      const basic = Buffer.from(`${formEncode(ctx.clientId)}:${formEncode(secret)}`).toString('base64')
      return { headers: { authorization: `Basic ${basic}` } }
    }
    return { form: { client_secret: secret } }
  }
}

function pickMethod(supported: readonly string[] | undefined): SecretAuthMethod {
  if (supported === undefined || supported.includes('client_secret_post')) return 'client_secret_post'
  return supported.includes('client_secret_basic') ? 'client_secret_basic' : 'client_secret_post'
}

/**
 * Authenticates with a client secret (the secret's *Value*, not its ID).
 *
 * @example
 * ```ts
 * createTokenProvider({ tenantId, clientId, credential: clientSecret(process.env.AZURE_CLIENT_SECRET!) })
 * ```
 */
export function clientSecret(secret: SecretSource, options: ClientSecretOptions = {}): ClientCredential {
  if (typeof secret === 'string') rememberSecret(secret)
  if (typeof secret === 'string' ? secret.trim().length === 0 : typeof secret !== 'function') {
    throw new ConfigurationError(
      'credential',
      'the client secret is empty or missing',
      "pass the secret's Value from the app registration, e.g. clientSecret(process.env.AZURE_CLIENT_SECRET)",
    )
  }
  const method = options.authMethod
  if (method !== undefined && method !== 'client_secret_post' && method !== 'client_secret_basic') {
    throw new ConfigurationError(
      'authMethod',
      `${JSON.stringify(method)} is not supported`,
      "use 'client_secret_post' or 'client_secret_basic'",
    )
  }
  return new ClientSecretCredential(secret, method)
}
