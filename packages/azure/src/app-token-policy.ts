import type { AppTokenOptions, TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer, isReplayableBody, type RequestAuthorizer } from '@apptoken/core/adapter'
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline'
import { toAbortSignal } from './abort-signal.js'

/**
 * The policy's name in the pipeline (names are unique per pipeline).
 *
 * @example
 * ```ts
 * import { createEmptyPipeline } from '@azure/core-rest-pipeline'
 * const pipeline = createEmptyPipeline()
 * pipeline.removePolicy({ name: appTokenPolicyName })
 * ```
 */
export const appTokenPolicyName = 'appTokenPolicy'

/**
 * Options of {@link appTokenPolicy}: core's adapter options.
 *
 * @example
 * ```ts
 * const options: AppTokenPolicyOptions = {
 *   scopes: 'https://vault.azure.net/.default',
 *   origins: ['https://contoso.vault.azure.net'], // default: the origin of the first request it authorizes
 * }
 * ```
 */
export type AppTokenPolicyOptions = AppTokenOptions

const ADAPTER = 'appTokenPolicy'
/** Only checks the options at creation; never receives a request. */
const CHECK_ONLY = 'https://localhost'

/**
 * An `@azure/core-rest-pipeline` policy that gives Azure SDK clients the 401 recovery the SDKs
 * lack (`TokenCredential.getToken` has no "force refresh"). Add it at `position: 'perRetry'`, so
 * it runs after the SDK's own sign-in step, on every try:
 *
 * - a request without `Authorization` (the SDK's challenge probe, as Key Vault sends first), or
 *   with another scheme (e.g. Storage's `SharedKey`), is left alone;
 * - a request carrying a bearer token to an allowed origin gets apptoken's current token instead;
 * - a 401 from an allowed origin to a request it authorized forces one refresh (a claims
 *   challenge refreshes with its claims) and re-sends the request once. A second 401 reaches the
 *   caller, and so does a 401 to a request whose body cannot be sent again (a stream; the refresh
 *   still happens, for the requests that follow).
 *
 * Allowed origins: `origins`, by default the origin of the first request it authorizes (an Azure
 * SDK client talks to one endpoint). A request to another origin goes without `Authorization`
 * (the policy runs last, after the SDK's redirect and sign-in steps, so it sees every hop), and a
 * 401 from another origin never forces a refresh. The origin checked is the one of the URL that
 * really answered.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 (RFC 6750 §3.1, `invalid_token`)
 * @example
 * ```ts
 * const secrets = new SecretClient(vaultUrl, provider.toTokenCredential(), {
 *   additionalPolicies: [
 *     { policy: appTokenPolicy(provider, { scopes: 'https://vault.azure.net/.default' }), position: 'perRetry' },
 *   ],
 * })
 * ```
 */
export function appTokenPolicy(provider: TokenProvider, options: AppTokenPolicyOptions): PipelinePolicy {
  const create = (baseUrl: string): RequestAuthorizer =>
    createRequestAuthorizer(provider, options, { adapter: ADAPTER, baseUrl })
  // Checks the provider, scopes and origins now, so a mistake fails where the client is built.
  const checked = create(CHECK_ONLY)
  let auth: RequestAuthorizer | undefined =
    typeof options === 'object' && options.origins !== undefined ? checked : undefined

  return {
    name: appTokenPolicyName,
    async sendRequest(request, next) {
      if (!/^bearer\s/i.test(request.headers.get('authorization') ?? '')) return next(request)
      auth ??= create(request.url)
      const signal = toAbortSignal(request.abortSignal)
      const sent = await auth.authorize(request.url, signal, undefined, request.method)
      if (sent === undefined) {
        // Not an allowed origin: no token goes there, not even the one the SDK signed with (its
        // sign-in step re-signs every hop, cross-origin redirects included).
        request.headers.delete('authorization')
        return next(request)
      }
      request.headers.set('authorization', sent.header)
      if (sent.headers !== undefined)
        for (const [k, v] of Object.entries(sent.headers)) request.headers.set(k, v)
      const response = await next(request)
      const retry = await auth.onResponse({
        // The URL that really answered: a redirect policy after this one may have moved it.
        url: response.request.url,
        status: response.status,
        wwwAuthenticate: response.headers.get('www-authenticate'),
        sent,
        replayable: isReplayable(request),
        retried: false,
        signal,
        method: request.method,
        dpopNonce: response.headers.get('dpop-nonce'),
      })
      if (retry === undefined) return response
      discardBody(response)
      request.headers.set('authorization', retry.header)
      if (retry.headers !== undefined)
        for (const [k, v] of Object.entries(retry.headers)) request.headers.set(k, v)
      return next(request)
    },
  }
}

/** A body factory (`() => stream`) is called again on every send, as the SDK's own retries do. */
function isReplayable(request: PipelineRequest): boolean {
  return typeof request.body === 'function' || isReplayableBody(request.body)
}

/** Frees the connection of a streamed 401 answer that is not handed to the caller. */
function discardBody(response: PipelineResponse): void {
  response.readableStreamBody?.resume() // drained, so the socket can be reused
  void response.browserStreamBody?.cancel().catch(() => undefined)
}
