import { clientSecret, createTokenProvider, type TokenProvider } from '@apptoken/core'
import { TEST_API_AUDIENCE, type TestAuthority } from '@apptoken/testing'

export const SCOPE = `${TEST_API_AUDIENCE}/.default`

/**
 * A provider for the local authority, without retries of failed token requests. `onTokenRequest`
 * runs as each token request is made (the credential reads its secret), so a test can act while
 * it is in flight.
 */
export function providerFor(authority: TestAuthority, onTokenRequest = () => {}): TokenProvider {
  return createTokenProvider({
    ...authority.providerOptions,
    credential: clientSecret(() => (onTokenRequest(), authority.clientSecret)),
    retry: false,
  })
}
