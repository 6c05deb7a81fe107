import { startTestAuthority, type TestAuthority } from './authority.js'
import { createTestCertificate } from './certificates.js'
import { startProtectedApi, type ProtectedApi } from './protected-api.js'

/**
 * Options of {@link startTestApis} and {@link useTestApis}.
 *
 * @example
 * ```ts
 * // Azure SDKs and Key Vault send bearer tokens over https only:
 * const options: TestApisOptions<true> = { https: true }
 * ```
 */
export interface TestApisOptions<Https extends boolean = boolean> {
  /**
   * Serve both APIs over https with a fresh test certificate for `127.0.0.1`, whose PEM is then
   * `ca` (a client must trust it). The authority stays on http. Default `false`.
   */
  https?: Https
}

/**
 * A test authority and two protected APIs on two origins (see {@link startTestApis}).
 *
 * @example
 * ```ts
 * const servers: TestApis = await startTestApis()
 * await fetch(`${servers.other.url}/api/echo`) // another origin: a client must not send it the token
 * await servers.close()
 * ```
 */
export interface TestApis<Https extends boolean = false> {
  /** The token authority (http). */
  readonly authority: TestAuthority
  /** A protected API: the origin a client under test is pointed at. */
  readonly api: ProtectedApi
  /** A second protected API on another port: another origin, which must never get the token. */
  readonly other: ProtectedApi
  /** With `https: true`, the PEM certificate both APIs serve (SAN `127.0.0.1`); else `undefined`. */
  readonly ca: Https extends true ? string : undefined
  /** Forgets what the authority and both APIs recorded, and their queued faults and revocations. */
  reset(): void
  /** Stops the three servers, closing keep-alive sockets at once. */
  close(): Promise<void>
}

/**
 * Starts a test authority (`startTestAuthority()`), a protected API `api` and a second one,
 * `other`, on another origin: what a test of a client that attaches tokens needs. Close them with
 * `close()`; `reset()` between tests. Framework-agnostic; {@link useTestApis} wires it into a
 * test runner's hooks.
 *
 * @example
 * ```ts
 * const { authority, api, other, close } = await startTestApis()
 * const provider = createTokenProvider({ ...authority.providerOptions, credential: clientSecret(authority.clientSecret) })
 * // ... point the client under test at api.url, and check other.requests carry no token
 * await provider.close()
 * await close()
 * ```
 */
export async function startTestApis<Https extends boolean = false>(
  options: TestApisOptions<Https> = {},
): Promise<TestApis<Https>> {
  const cert = options.https === true ? await createTestCertificate({ hosts: ['127.0.0.1'] }) : undefined
  const https = cert && { https: { cert: cert.certificate, key: cert.privateKey } }
  const authority = await startTestAuthority()
  const started: ProtectedApi[] = []
  try {
    started.push(await startProtectedApi({ authority, ...https }))
    started.push(await startProtectedApi({ authority, ...https }))
  } catch (error) {
    await Promise.all(started.map((server) => server.close()))
    await authority.close()
    throw error
  }
  const [api, other] = started as [ProtectedApi, ProtectedApi]
  return {
    authority,
    api,
    other,
    ca: cert?.certificate as TestApis<Https>['ca'],
    reset() {
      authority.reset()
      api.reset()
      other.reset()
    },
    async close() {
      await Promise.all([api.close(), other.close()])
      await authority.close()
    },
  }
}
