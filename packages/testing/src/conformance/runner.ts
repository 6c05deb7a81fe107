/**
 * The test functions a conformance suite registers its tests with: vitest's, or `node:test`'s.
 *
 * @example
 * ```ts
 * import { describe, it, beforeAll, afterAll } from 'vitest'
 * const runner: ConformanceRunner = { describe, it, beforeAll, afterAll }
 * // node:test: import { describe, it, before, after } from 'node:test' → { describe, it, before, after }
 * ```
 */
export interface ConformanceRunner {
  describe: (name: string, body: () => void) => unknown
  it: (name: string, body: () => Promise<void>) => unknown
  beforeAll?: (body: () => Promise<void>) => unknown
  afterAll?: (body: () => Promise<void>) => unknown
  /** `node:test`'s names for the same hooks. */
  before?: (body: () => Promise<void>) => unknown
  after?: (body: () => Promise<void>) => unknown
}

/** The before-all and after-all hooks of a runner, whichever names it uses. */
export function hooksOf(runner: ConformanceRunner): {
  before: (body: () => Promise<void>) => unknown
  after: (body: () => Promise<void>) => unknown
} {
  const { beforeAll, afterAll, before = beforeAll, after = afterAll } = runner
  if (before === undefined || after === undefined)
    throw new TypeError(
      "Pass the runner's hooks: { describe, it, beforeAll, afterAll } (vitest) or { describe, it, before, after } (node:test)",
    )
  return { before, after }
}

/**
 * The parts of `@apptoken/core` a suite uses, passed in so that `@apptoken/testing` does not
 * depend on core (core's own tests use this package).
 *
 * @example
 * ```ts
 * import * as core from '@apptoken/core'
 * const parts: ConformanceCore = core // what adapterConformance and cacheConformance take as `core`
 * ```
 */
export interface ConformanceCore {
  createTokenProvider(options: {
    tenantId: string
    clientId: string
    credential: never
    authorityHost: string
    cache?: never
  }): ConformanceProvider
  clientSecret(secret: string): unknown
}

/**
 * A token provider as the suites see it.
 *
 * @example
 * ```ts
 * import { clientSecret, createTokenProvider } from '@apptoken/core'
 * const suiteProvider: ConformanceProvider = createTokenProvider({ tenantId, clientId, credential: clientSecret(secret), authorityHost: 'http://127.0.0.1:4000' })
 * ```
 */
export interface ConformanceProvider {
  getToken(scopes: string): Promise<{ accessToken: string }>
  close(): Promise<void>
}
