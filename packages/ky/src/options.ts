import type { AppTokenOptions } from '@apptoken/core'

/**
 * What apptoken needs from ky: `ky.retry`, whose marker ky honours only from its own copy.
 *
 * @example
 * ```ts
 * import ky1 from 'ky1' // ky 1 installed under an alias
 * ky1.create({ prefixUrl, ...appToken(provider, { scopes, prefixUrl, ky: ky1 }) })
 * ```
 */
export interface KyRetry {
  retry(options: { request: Request; delay: number }): unknown
}

/**
 * Options of {@link appToken}. ky's own `baseUrl` / `prefixUrl` is not visible to hooks built
 * before `ky.create`, so give the allowed origins, or the same base URL again.
 *
 * @example
 * ```ts
 * const options: KyAppTokenOptions = { scopes: 'api://my-api/.default', baseUrl: 'https://api.contoso.com' }
 * ```
 */
export interface KyAppTokenOptions extends AppTokenOptions {
  /** The base URL you give ky (ky 2 `baseUrl` or an absolute `prefix`): its origin is allowed when `origins` is omitted. */
  baseUrl?: string | URL | undefined
  /** ky 1's `prefixUrl`, the same as `baseUrl`. */
  prefixUrl?: string | URL | undefined
  /** The ky you call, for `ky.retry`. Default: the `ky` package apptoken resolves; pass it when ky is installed under another name. */
  ky?: KyRetry
}

/**
 * A hook ky 1 (positional arguments) and ky 2 (one state object) both accept.
 *
 * @example
 * ```ts
 * const [attach]: KyHook[] = appToken(provider, { scopes, baseUrl }).hooks.beforeRequest
 * ```
 */
// Must be assignable to both majors' hook types, whose parameters and results differ.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KyHook = (...args: any[]) => any

/**
 * The options `appToken` returns: spread them into `ky.create(...)` or `ky.extend(...)`.
 *
 * @example
 * ```ts
 * const { hooks }: KyAppTokenHooks = appToken(provider, { scopes, baseUrl })
 * ```
 */
export interface KyAppTokenHooks {
  hooks: { beforeRequest: KyHook[]; afterResponse: KyHook[] }
}
