import type { AccessToken, GetTokenOptions } from './types.js'

/**
 * `@azure/core-auth`'s AccessToken, declared here so core needs no Azure package at run time.
 *
 * @example
 * ```ts
 * const t = await provider.toTokenCredential().getToken('https://vault.azure.net/.default')
 * console.log(t?.expiresOnTimestamp, t?.refreshAfterTimestamp) // epoch milliseconds
 * ```
 */
export interface AzureAccessToken {
  token: string
  expiresOnTimestamp: number
  refreshAfterTimestamp?: number
  tokenType?: 'Bearer' | 'pop'
}

/**
 * The options `@azure/core-auth` passes to `TokenCredential.getToken` that apptoken uses.
 *
 * @example
 * ```ts
 * const credential = provider.toTokenCredential()
 * await credential.getToken('https://vault.azure.net/.default', { tenantId: 'fabrikam.onmicrosoft.com', abortSignal: AbortSignal.timeout(5_000) })
 * ```
 */
export interface AzureGetTokenOptions {
  abortSignal?: AbortSignalLike | undefined
  tenantId?: string | undefined
  claims?: string | undefined
}

/**
 * Structural `AbortSignalLike` of `@azure/abort-controller`.
 *
 * @example
 * ```ts
 * const abortSignal: AbortSignalLike = AbortSignal.timeout(5_000) // a native AbortSignal fits
 * await provider.toTokenCredential().getToken('https://vault.azure.net/.default', { abortSignal })
 * ```
 */
export interface AbortSignalLike {
  readonly aborted: boolean
  addEventListener(
    type: 'abort',
    listener: (this: AbortSignalLike, ev: unknown) => unknown,
    options?: unknown,
  ): void
  removeEventListener(
    type: 'abort',
    listener: (this: AbortSignalLike, ev: unknown) => unknown,
    options?: unknown,
  ): void
}

function toAbortSignal(like: AbortSignalLike): AbortSignal {
  if (like instanceof AbortSignal) return like
  const controller = new AbortController()
  if (like.aborted) controller.abort()
  else like.addEventListener('abort', () => controller.abort(), { once: true })
  return controller.signal
}

/**
 * `@azure/core-auth`'s `TokenCredential`: every Azure SDK client accepts it.
 *
 * @example
 * ```ts
 * const secrets = new SecretClient(vaultUrl, provider.toTokenCredential())
 * ```
 */
export interface TokenCredential {
  getToken(scopes: string | string[], options?: AzureGetTokenOptions): Promise<AzureAccessToken | null>
}

interface Source {
  getToken(scopes: string | readonly string[], options?: GetTokenOptions): Promise<AccessToken>
}

/** Adapts a provider to `TokenCredential`. */
export function toTokenCredential(provider: Source): TokenCredential {
  return {
    async getToken(scopes, options) {
      const opts: GetTokenOptions = {}
      if (options?.tenantId) opts.tenantId = options.tenantId
      if (options?.claims) opts.claims = options.claims
      if (options?.abortSignal) opts.signal = toAbortSignal(options.abortSignal)
      // Azure SDKs pass claims after a CAE challenge: they expect a fresh token, not the cached one.
      const t = await provider.getToken(scopes, Object.keys(opts).length ? opts : undefined)
      return {
        token: t.accessToken,
        expiresOnTimestamp: t.expiresAt,
        refreshAfterTimestamp: t.refreshAt,
        tokenType: 'Bearer',
      }
    },
  }
}
