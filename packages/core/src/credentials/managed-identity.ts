import { createHash } from 'node:crypto'
import type { CredentialContext, IssuedToken, TokenSourceCredential } from '../credential.js'
import { ConfigurationError, isApptokenError, isTokenRequestError, NetworkError } from '../errors.js'
import { tokenErrorHint } from '../hints.js'
import type { HttpResponse } from '../http.js'
import {
  MANAGED_IDENTITY_RETRY,
  resolveRetryPolicy,
  withRetry,
  type AttemptFailure,
  type RetryPolicy,
} from '../retry.js'
import { parseTokenResponse, tokenRequestError } from '../token-response.js'
import { resolveSource } from './managed-identity-detect.js'
import { isPinFailure } from './managed-identity-pinning.js'
import {
  TRANSIENT,
  type ManagedIdentityOptions,
  type ManagedIdentitySource,
  type Source,
  type SourceRequest,
} from './managed-identity-source.js'

export type { ManagedIdentityOptions, ManagedIdentitySource } from './managed-identity-source.js'

/**
 * A managed identity credential, with the endpoint it chose.
 *
 * @example
 * ```ts
 * const credential = managedIdentity()
 * logger.info({ source: credential.source }, 'managed identity endpoint') // 'appService', 'imds', ...
 * ```
 */
export interface ManagedIdentityCredential extends TokenSourceCredential {
  /** The endpoint chosen, by the `source` option or from the environment. */
  readonly source: ManagedIdentitySource
}

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

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex')

function parseObject(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

class Credential implements ManagedIdentityCredential {
  readonly kind = 'managed_identity'
  readonly needsClientIdAndTenantId = false
  readonly source: ManagedIdentitySource
  readonly #source: Source
  readonly #policy: RetryPolicy
  /** Set once the endpoint answered: later network errors are hiccups, not "not on Azure". */
  #reachable = false

  constructor(source: Source, policy: RetryPolicy) {
    this.#source = source
    this.source = source.name
    this.#policy = policy
  }

  async getToken(ctx: CredentialContext): Promise<IssuedToken> {
    const source = this.#source
    const req = source.build(resourceOf(ctx.scopes))
    // Token revocation (CAE), where the endpoint supports it; elsewhere the provider's cache bypass is all.
    if (source.revocation) {
      const capabilities = ctx.clientCapabilities ?? []
      if (capabilities.length > 0) req.url.searchParams.set('xms_cc', capabilities.join(','))
      if (ctx.rejectedToken !== undefined)
        req.url.searchParams.set('token_sha256_to_refresh', sha256Hex(ctx.rejectedToken))
    }
    const http = source.transport === undefined ? ctx.http : await source.transport(ctx)
    const send = async (r: SourceRequest): Promise<HttpResponse> => {
      const answer = await http.request({
        url: r.url.href,
        method: r.method,
        headers: r.headers,
        ...(r.body === undefined ? {} : { body: r.body }),
        signal: ctx.signal,
        direct: true, // managed identity endpoints are local to the host: never proxied
      })
      this.#reachable = true
      return answer
    }
    const classify = (error: unknown): AttemptFailure => {
      if (isTokenRequestError(error))
        return { retryable: TRANSIENT(error.status), retryAfterMs: error.retryAfterMs }
      const network = isApptokenError(error, 'ERR_NETWORK') || isApptokenError(error, 'ERR_TIMEOUT')
      return { retryable: this.#reachable && network && !isPinFailure(error) }
    }
    let res: HttpResponse
    try {
      res = await withRetry(
        async () => {
          let answer = await send(req)
          const next = answer.status === 401 ? await source.challenge?.(answer, req) : undefined
          if (next !== undefined) answer = await send(next)
          if (answer.status < 200 || answer.status > 299)
            throw tokenRequestError(answer, ctx.clock.now(), {
              hint: (codes, error) =>
                tokenErrorHint(codes, error === 'invalid_client' ? undefined : error) ??
                source.hint(answer.status),
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
                source: source.name,
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
      if (isApptokenError(error, 'ERR_NETWORK') && !isPinFailure(error)) {
        throw new NetworkError(
          `No managed identity endpoint answered at ${req.url.origin}${req.url.pathname} (${source.name}): ${(error as Error).message}. ` +
            'Managed identity works on Azure (VMs, App Service, Functions, Container Apps, AKS, Arc-enabled servers, Service Fabric, Azure ML, Cloud Shell); elsewhere use clientSecret, clientCertificate or workloadIdentity (fromEnvironment picks one from AZURE_* variables).',
          { cause: error },
        )
      }
      throw error
    }
    const token = parseTokenResponse(res, ctx.clock.now())
    source.check?.(token, parseObject(res.body))
    ctx.logger?.debug?.(
      { event: 'managed_identity_token', source: source.name },
      'apptoken: managed identity token received',
    )
    return token
  }
}

/**
 * Azure managed identity: tokens from the identity endpoint of the host, found from the
 * environment as Azure sets it (Service Fabric, App Service / Functions / Container Apps, Azure
 * Machine Learning, Cloud Shell, Azure Arc, else IMDS on VMs, scale sets and AKS nodes), or the
 * one `source` names. No secret to manage; the provider needs neither `clientId` nor `tenantId`.
 * Transient answers are retried with backoff.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({ credential: managedIdentity() })                 // system-assigned
 * createTokenProvider({ credential: managedIdentity({ clientId: process.env.MI_CLIENT_ID! }) }) // user-assigned
 * managedIdentity({ source: 'azureArc' }).source // 'azureArc'
 * ```
 */
export function managedIdentity(options: ManagedIdentityOptions = {}): ManagedIdentityCredential {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      'managedIdentity',
      'the options are not an object',
      'pass {} or { clientId }',
    )
  }
  return new Credential(resolveSource(options), resolveRetryPolicy(options.retry, MANAGED_IDENTITY_RETRY))
}
