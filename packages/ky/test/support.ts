import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import { TEST_API_AUDIENCE, type TestAuthority } from '@apptoken/testing'

export const SCOPE = `${TEST_API_AUDIENCE}/.default`

/**
 * A provider for the local authority. `onTokenRequest` fires when a token request is being
 * made (the credential reads its secret), so a test can act while it is in flight.
 */
export function providerFor(authority: TestAuthority, onTokenRequest?: () => void): TokenProvider {
  const secret = authority.clientSecret
  return createTokenProvider({
    authorityHost: authority.authorityHost,
    tenantId: authority.tenantId,
    clientId: authority.clientId,
    credential: clientSecret(() => {
      onTokenRequest?.()
      return secret
    }),
    retry: false,
  })
}

/** A promise with its resolver, for waiting on an event instead of a timer. */
export function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void
  const promise = new Promise<void>((resolve) => (fire = resolve))
  return { promise, fire }
}
