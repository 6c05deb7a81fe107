import type { AppTokenOptions } from '@apptoken/core'

/**
 * What apptoken needs from ky: `ky.retry`, whose marker ky honours only from its own copy.
 * @example `ky1.create({ prefixUrl }).extend(appToken(provider, { scopes, ky: ky1 })) // ky 1 under an alias`
 */
export interface KyRetry {
  retry(options: { request: Request; delay: number }): unknown
}

/**
 * Options of {@link appToken}. The token goes to `origins`, by default to the base URL each
 * request sees (ky 2 `baseUrl` or an absolute `prefix`, ky 1 `prefixUrl`).
 * @example `const options: KyAppTokenOptions = { scopes: 'api://my-api/.default' }`
 */
export interface KyAppTokenOptions extends AppTokenOptions {
  /** @deprecated Unnecessary: the hooks read ky's base URL from each request. Removed in the next minor. */
  baseUrl?: string | URL | undefined
  /** @deprecated Unnecessary, as `baseUrl`. Removed in the next minor. */
  prefixUrl?: string | URL | undefined
  /** The ky you call, for `ky.retry`. Default: the `ky` package apptoken resolves; pass it when ky is installed under another name. */
  ky?: KyRetry
}

/**
 * A hook ky 1 (positional arguments) and ky 2 (one state object) both accept.
 * @example `const [attach]: KyHook[] = appToken(provider, { scopes }).hooks.beforeRequest`
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assignable to both majors' hook types
export type KyHook = (...args: any[]) => any

/**
 * The options `appToken` returns, for `ky.create(...)` or `.extend(...)`.
 * @example `const { hooks }: KyAppTokenHooks = appToken(provider, { scopes })`
 */
export interface KyAppTokenHooks {
  hooks: { beforeRequest: KyHook[]; afterResponse: KyHook[] }
}
