import type { CredentialContext, IssuedToken, TokenSourceCredential } from '../credential.js'
import { ConfigurationError, isApptokenError, isTokenRequestError, NetworkError } from '../errors.js'
import type { HttpResponse } from '../http.js'
import {
  MANAGED_IDENTITY_RETRY,
  resolveRetryPolicy,
  withRetry,
  type AttemptFailure,
  type RetryPolicy,
} from '../retry.js'
import { parseTokenResponse, tokenRequestError } from '../token-response.js'
import {
  hintFor,
  resolveSource,
  TRANSIENT,
  type ManagedIdentityOptions,
  type Source,
} from './managed-identity-source.js'

export type { ManagedIdentityOptions } from './managed-identity-source.js'

/** The resource of a `/.default` scope: `https://vault.azure.net/.default` -> `https://vault.azure.net`. */
function resourceOf(scopes: readonly string[]): string {
  const scope = scopes[0]
  if (scopes.length !== 1 || scope === undefined) {
    throw new ConfigurationError(
      'scopes',
      `managed identity tokens are for one resource, but ${scopes.length} scopes were requested`,
      'request one resource, e.g. https://management.azure.com/.default',
    )
  }
  return scope.endsWith('/.default') ? scope.slice(0, -'/.default'.length) : scope
}

class ManagedIdentityCredential implements TokenSourceCredential {
  readonly kind = 'managed_identity'
  readonly needsClientIdAndTenantId = false
  readonly #source: Source
  readonly #policy: RetryPolicy
  /** Set once the endpoint answered: later network errors are hiccups, not "not on Azure". */
  #reachable = false

  constructor(source: Source, policy: RetryPolicy) {
    this.#source = source
    this.#policy = policy
  }

  async getToken(ctx: CredentialContext): Promise<IssuedToken> {
    const source = this.#source
    const url = new URL(source.url)
    url.searchParams.set('api-version', source.apiVersion)
    url.searchParams.set('resource', resourceOf(ctx.scopes))
    if (source.identity) url.searchParams.set(source.identity[0], source.identity[1])
    const classify = (error: unknown): AttemptFailure => {
      if (isTokenRequestError(error))
        return { retryable: TRANSIENT(error.status), retryAfterMs: error.retryAfterMs }
      return {
        retryable:
          this.#reachable && (isApptokenError(error, 'ERR_NETWORK') || isApptokenError(error, 'ERR_TIMEOUT')),
      }
    }
    let res: HttpResponse
    try {
      res = await withRetry(
        async () => {
          const answer = await ctx.http.request({
            url: url.href,
            method: 'GET',
            headers: source.headers,
            signal: ctx.signal,
            direct: true, // IMDS and App Service endpoints are local to the host: never proxied
          })
          this.#reachable = true
          if (answer.status < 200 || answer.status > 299)
            throw tokenRequestError(answer, ctx.clock.now(), {
              hint: (codes, error) => hintFor(source, answer.status, codes, error),
            })
          return answer
        },
        {
          policy: this.#policy,
          clock: ctx.clock,
          classify,
          signal: ctx.signal,
          onRetry: ({ retry, delayMs, error }) => {
            ctx.countRetry?.()
            ctx.logger?.warn?.(
              {
                event: 'retry_scheduled',
                source: source.kind,
                retry,
                delayMs,
                status: isTokenRequestError(error) ? error.status : undefined,
                code: (error as { code?: string }).code,
              },
              `apptoken: managed identity request failed; retry ${retry} in ${delayMs} ms`,
            )
          },
        },
      )
    } catch (error) {
      if (isApptokenError(error, 'ERR_NETWORK')) {
        throw new NetworkError(
          `No managed identity endpoint answered at ${url.origin}${url.pathname}: ${(error as Error).message}. ` +
            'Managed identity works on Azure (VMs, App Service, Functions, Container Apps, AKS); elsewhere use clientSecret, clientCertificate or workloadIdentity (fromEnvironment picks one from AZURE_* variables).',
          { cause: error },
        )
      }
      throw error
    }
    ctx.logger?.debug?.(
      { event: 'managed_identity_token', source: source.kind },
      'apptoken: managed identity token received',
    )
    return parseTokenResponse(res, ctx.clock.now())
  }
}

/**
 * Azure managed identity: tokens from the App Service / Functions identity endpoint
 * (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`) or from IMDS on VMs, scale sets and AKS nodes. No
 * secret to manage; the provider needs neither `clientId` nor `tenantId`. Transient IMDS answers
 * are retried with backoff.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({ credential: managedIdentity() })                 // system-assigned
 * createTokenProvider({ credential: managedIdentity({ clientId: process.env.MI_CLIENT_ID! }) }) // user-assigned
 * ```
 */
export function managedIdentity(options: ManagedIdentityOptions = {}): TokenSourceCredential {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      'managedIdentity',
      'the options are not an object',
      'pass {} or { clientId }',
    )
  }
  return new ManagedIdentityCredential(
    resolveSource(options),
    resolveRetryPolicy(options.retry, MANAGED_IDENTITY_RETRY),
  )
}
