import type { TestAuthority } from './authority.js'
import { startTestApis, type TestApis, type TestApisOptions } from './test-apis.js'

/**
 * A test runner's hooks, by vitest's (or Jest's) names or by `node:test`'s: `beforeAll` and
 * `afterAll`, or `before` and `after`; `beforeEach` and `afterEach` under both names.
 *
 * @example
 * ```ts
 * import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
 * const hooks: TestHooks = { beforeAll, afterAll, beforeEach, afterEach }
 * // node:test: import { before, after, beforeEach, afterEach } from 'node:test' → { before, after, beforeEach, afterEach }
 * ```
 */
export interface TestHooks {
  beforeAll?: (body: () => Promise<void> | void) => unknown
  afterAll?: (body: () => Promise<void> | void) => unknown
  /** `node:test`'s name for `beforeAll`. */
  before?: (body: () => Promise<void> | void) => unknown
  /** `node:test`'s name for `afterAll`. */
  after?: (body: () => Promise<void> | void) => unknown
  /** Given: the servers are reset before each test (and a fresh `provider` made, with `createProvider`). */
  beforeEach?: (body: () => Promise<void> | void) => unknown
  /** Needed with `createProvider`: each test's provider is closed after it. */
  afterEach?: (body: () => Promise<void> | void) => unknown
}

/**
 * The servers of {@link useTestApis}: each field is set by the before-all hook, so read them in
 * tests and hooks (reading one earlier throws).
 *
 * @example
 * ```ts
 * const check = async (s: TestApisFixture) => (await fetch(`${s.api.url}/public/ping`)).status
 * ```
 */
export type TestApisFixture<Https extends boolean = false> = Pick<
  TestApis<Https>,
  'authority' | 'api' | 'other' | 'ca'
>

/**
 * Options of {@link useTestApis}: {@link TestApisOptions} and, optionally, `createProvider`.
 *
 * @example
 * ```ts
 * const options: UseTestApisOptions<false, TokenProvider> = {
 *   createProvider: (authority) => createTokenProvider({ ...authority.providerOptions, credential: clientSecret(authority.clientSecret) }),
 * }
 * ```
 */
export interface UseTestApisOptions<Https extends boolean = false, P = never> extends TestApisOptions<Https> {
  /**
   * Makes the `provider` of one test (a fresh one, empty cache, before each test; closed after
   * it). Any object with `close()`: `@apptoken/core`'s `createTokenProvider(...)`, typically.
   */
  createProvider?: (authority: TestAuthority) => P
}

/**
 * {@link startTestApis} in a test file: starts the authority and the two APIs in the before-all
 * hook and closes them in the after-all hook; with `beforeEach`, resets all three before each
 * test; with `createProvider`, gives each test a fresh `provider`, closed after it. Call it at the
 * top of a file or of a `describe`; read the fields inside tests and hooks (not destructured).
 *
 * @example
 * ```ts
 * import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
 * const s = useTestApis(
 *   { beforeAll, afterAll, beforeEach, afterEach },
 *   { createProvider: (authority) => createTokenProvider({ ...authority.providerOptions, credential: clientSecret(authority.clientSecret) }) },
 * )
 * it('sends the token to the API only', async () => {
 *   const token = await s.provider.getToken(`${TEST_API_AUDIENCE}/.default`)
 *   expect(s.authority.tokenRequests()).toHaveLength(1)
 * })
 * ```
 */
export function useTestApis<P extends { close(): Promise<void> }, Https extends boolean = false>(
  hooks: TestHooks,
  options: UseTestApisOptions<Https, P> & { createProvider: (authority: TestAuthority) => P },
): TestApisFixture<Https> & { readonly provider: P }
export function useTestApis<Https extends boolean = false>(
  hooks: TestHooks,
  options?: TestApisOptions<Https>,
): TestApisFixture<Https>
export function useTestApis<P extends { close(): Promise<void> }, Https extends boolean = false>(
  hooks: TestHooks,
  options: UseTestApisOptions<Https, P> = {},
): TestApisFixture<Https> & { readonly provider?: P } {
  const { beforeAll, afterAll, before = beforeAll, after = afterAll, beforeEach, afterEach } = hooks
  const { createProvider, ...startOptions } = options
  if (before === undefined || after === undefined)
    throw new TypeError(
      "useTestApis needs the runner's hooks: { beforeAll, afterAll, beforeEach, afterEach } (vitest) or { before, after, beforeEach, afterEach } (node:test)",
    )
  if (createProvider !== undefined && (beforeEach === undefined || afterEach === undefined))
    throw new TypeError('useTestApis with createProvider needs the beforeEach and afterEach hooks too')

  let servers: TestApis<Https> | undefined
  let provider: P | undefined
  const fixture = {}
  /** A field read through `read`, which gives undefined until the field is set. */
  const define = (name: string, read: () => { value: unknown } | undefined, setBy: string) =>
    Object.defineProperty(fixture, name, {
      enumerable: true,
      get() {
        const set = read()
        if (set === undefined)
          throw new Error(`useTestApis: ${name} is set by ${setBy}; read it inside a test or a hook`)
        return set.value
      },
    })
  for (const name of ['authority', 'api', 'other', 'ca'] as const)
    define(name, () => servers && { value: servers[name] }, 'the before-all hook')
  if (createProvider !== undefined)
    define('provider', () => provider && { value: provider }, 'the beforeEach hook')

  before(async () => {
    servers = await startTestApis(startOptions)
  })
  after(async () => {
    await servers?.close()
    servers = undefined
  })
  beforeEach?.(() => {
    servers?.reset()
    if (createProvider !== undefined && servers !== undefined) provider = createProvider(servers.authority)
  })
  if (createProvider !== undefined)
    afterEach?.(async () => {
      const closing = provider
      provider = undefined
      await closing?.close()
    })
  return fixture as TestApisFixture<Https> & { readonly provider?: P }
}
