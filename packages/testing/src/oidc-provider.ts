import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'

/**
 * A client registration of panva's `oidc-provider` (the fields apptoken's tests use).
 *
 * @example
 * ```ts
 * const client: OidcClient = { client_id: 'worker', client_secret: secret, token_endpoint_auth_method: 'client_secret_post' }
 * ```
 */
export interface OidcClient {
  client_id: string
  client_secret?: string
  token_endpoint_auth_method: string
  jwks?: { keys: Record<string, unknown>[] }
  [field: string]: unknown
}

/**
 * The `oidc-provider` constructor (`(await import('oidc-provider')).default`): passed in, so
 * `@apptoken/testing` does not depend on it. Typed with `@types/oidc-provider`, its default export
 * is one as it is.
 *
 * @example
 * ```ts
 * import Provider from 'oidc-provider'
 * const ProviderClass: OidcProviderClass = Provider
 * ```
 */
export type OidcProviderClass = new (
  issuer: string,
  configuration: Record<string, unknown>,
) => { callback(): (req: IncomingMessage, res: ServerResponse) => unknown }

/**
 * A running `oidc-provider` (see {@link startOidcProvider}).
 *
 * @example
 * ```ts
 * const providerFor = (op: RunningOidcProvider) =>
 *   createTokenProvider({ issuer: op.issuer, clientId: 'worker', credential: clientSecret(secret), tokenParams: { resource: OIDC_RESOURCE } })
 * ```
 */
export interface RunningOidcProvider {
  issuer: string
  tokenEndpoint: string
  /** The keys of its JWT access tokens. */
  jwksUri: string
  close(): Promise<void>
}

/**
 * The resource (JWT access token `aud`) a token is for when a request names none.
 *
 * @example
 * ```ts
 * const api = await startDpopApi({ jwksUri: 'http://127.0.0.1:4000/jwks', issuer: 'http://127.0.0.1:4000', audience: OIDC_RESOURCE })
 * ```
 */
export const OIDC_RESOURCE = 'https://api.example.test/'

/**
 * Starts panva's `oidc-provider` (a certified OpenID Provider) on 127.0.0.1 with the client
 * credentials grant, resource indicators (RFC 8707: JWT access tokens whose `aud` is the
 * resource, ES256-signed) and DPoP with nonces, for the given clients. `features` are merged.
 *
 * @example
 * ```ts
 * async function start(Provider: OidcProviderClass) { // Provider: oidc-provider's default export
 *   return startOidcProvider(Provider, [
 *   { client_id: 'worker', client_secret: secret, token_endpoint_auth_method: 'client_secret_post' },
 *   ])
 * }
 * ```
 */
export async function startOidcProvider(
  Provider: OidcProviderClass,
  clients: OidcClient[],
  features: Record<string, unknown> = {},
  options: {
    /** Serve https with this certificate, asking clients for theirs (mutual TLS tests). */
    https?: { cert: string; key: string }
    /** More top-level configuration, e.g. `clientAuthMethods`. */
    configuration?: Record<string, unknown>
  } = {},
): Promise<RunningOidcProvider> {
  const { https, configuration } = options
  const server: Server =
    https === undefined
      ? createServer()
      : createHttpsServer({ ...https, requestCert: true, rejectUnauthorized: false })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  const issuer = `${https === undefined ? 'http' : 'https'}://127.0.0.1:${port}`
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'as-1', alg: 'ES256', use: 'sig' }
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: 'read write',
      id_token_signed_response_alg: 'ES256',
      ...c,
    })),
    jwks: { keys: [signingJwk] },
    scopes: ['read', 'write'],
    ...configuration,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => OIDC_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: 'read write',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 3600,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
      dPoP: { enabled: true, nonceSecret: randomBytes(32) },
      ...features,
    },
  })
  server.on('request', provider.callback())
  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    jwksUri: `${issuer}/jwks`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
