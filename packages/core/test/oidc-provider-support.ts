import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import Provider from 'oidc-provider'
import {
  OIDC_RESOURCE,
  startOidcProvider as start,
  type OidcClient,
  type RunningOidcProvider,
} from '@apptoken/testing'

export type { RunningOidcProvider } from '@apptoken/testing'
export const RESOURCE = OIDC_RESOURCE

/** A fresh EC P-256 key pair (private `KeyObject`, public JWK). */
export function ecKey(): { privateKey: KeyObject; publicJwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { privateKey, publicJwk: publicKey.export({ format: 'jwk' }) }
}

/** panva's oidc-provider on 127.0.0.1 (see `startOidcProvider` in @apptoken/testing). */
export const startOidcProvider = (
  clients: OidcClient[],
  features?: Record<string, unknown>,
  options?: Parameters<typeof start>[3],
): Promise<RunningOidcProvider> => start(Provider, clients, features, options)
