import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

/** A client registration of panva's oidc-provider (the fields the tests use). */
export interface OidcClient {
  client_id: string
  client_secret?: string
  token_endpoint_auth_method: string
  token_endpoint_auth_signing_alg?: string
  jwks?: { keys: Record<string, unknown>[] }
  dpop_bound_access_tokens?: boolean
  [field: string]: unknown
}

export interface RunningOidcProvider {
  issuer: string
  tokenEndpoint: string
  /** The provider's signing keys for JWT access tokens (public JWKS). */
  jwksUri: string
  provider: { on(event: string, listener: (...args: unknown[]) => void): void }
  close(): Promise<void>
}

export const RESOURCE = 'https://api.example.test/'

/** A fresh EC P-256 key pair (private `KeyObject`, public JWK). */
export function ecKey(): { privateKey: KeyObject; publicJwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { privateKey, publicJwk: publicKey.export({ format: 'jwk' }) }
}

/**
 * Starts oidc-provider on 127.0.0.1 (random port) with client credentials, resource indicators
 * (JWT access tokens whose `aud` is the resource), and the clients given.
 */
export async function startOidcProvider(
  clients: OidcClient[],
  features: Record<string, unknown> = {},
): Promise<RunningOidcProvider> {
  const server: Server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const signingJwk = {
    ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: 'as-1',
    alg: 'ES256',
    use: 'sig',
  }
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
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
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
    provider,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
