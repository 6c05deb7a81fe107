import { clientSecret, createTokenProvider } from '@apptoken/core'
import { TEST_API_AUDIENCE, useTestApis } from '@apptoken/testing'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'

export const scopes = `${TEST_API_AUDIENCE}/.default`

/**
 * A local authority, the protected API and a second API on another origin, once per file and reset
 * before each test, and a fresh provider per test.
 */
export const useServers = () =>
  useTestApis(
    { beforeAll, afterAll, beforeEach, afterEach },
    {
      createProvider: (authority) =>
        createTokenProvider({
          ...authority.providerOptions,
          credential: clientSecret(authority.clientSecret),
        }),
    },
  )
