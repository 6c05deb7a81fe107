import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import { claimsFromChallenge, isReplayableBody } from '@apptoken/core/adapter'
import type { RequestOption } from '@microsoft/kiota-abstractions'
import { withApiErrorHint } from './api-error-hint.js'
import { graphAuthorizer, type GraphTargetOptions } from './graph-authorizer.js'

/**
 * The `Middleware` of `@microsoft/kiota-http-fetchlibrary`, declared here so that only
 * `@microsoft/kiota-abstractions` is needed to compile against this package.
 *
 * @example
 * ```ts
 * const chain: KiotaMiddleware[] = [appTokenRetryMiddleware(provider), ...MiddlewareFactory.getDefaultMiddlewares()]
 * ```
 */
export interface KiotaMiddleware {
  next: KiotaMiddleware | undefined
  execute(
    url: string,
    requestInit: RequestInit,
    requestOptions?: Record<string, RequestOption>,
  ): Promise<Response>
}

const bearerOf = (init: RequestInit): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(new Headers(init.headers).get('authorization') ?? '')?.[1]

function setAuthorization(init: RequestInit, value: string): void {
  if (init.headers instanceof Headers) return init.headers.set('authorization', value)
  const headers: Record<string, string> = Array.isArray(init.headers)
    ? Object.fromEntries(new Headers(init.headers))
    : { ...init.headers }
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name]
  init.headers = { ...headers, authorization: value }
}

/**
 * A Kiota middleware that retries a plain 401 once with a refreshed app token (Kiota retries claims
 * challenges itself; those are left to it) and adds a hint to 401/403 Graph errors. Put it first.
 *
 * @example
 * ```ts
 * const http = KiotaClientFactory.create(undefined, [appTokenRetryMiddleware(provider), ...MiddlewareFactory.getDefaultMiddlewares()])
 * ```
 */
export function appTokenRetryMiddleware(
  provider: TokenProvider,
  options: GraphTargetOptions = {},
): KiotaMiddleware {
  const auth = graphAuthorizer(provider, options, 'appTokenRetryMiddleware')
  const middleware: KiotaMiddleware = {
    next: undefined,
    async execute(url, init, requestOptions) {
      const next = middleware.next
      if (next === undefined)
        throw new ConfigurationError(
          'middleware',
          'nothing follows appTokenRetryMiddleware',
          'put it first, before MiddlewareFactory.getDefaultMiddlewares()',
        )
      const token = bearerOf(init)
      const response = await next.execute(url, init, requestOptions)
      if (token === undefined) return response
      const wwwAuthenticate = response.headers.get('www-authenticate')
      if (response.status === 401 && claimsFromChallenge(wwwAuthenticate) !== undefined) return response
      if (response.status !== 401 || !isReplayableBody(init.body)) return withApiErrorHint(response)
      const signal = init.signal ?? undefined
      const retry = await auth.onUnauthorized({
        url: response.url || url,
        wwwAuthenticate,
        token,
        retried: false,
        signal,
      })
      if (retry === undefined) return withApiErrorHint(response)
      await response.body?.cancel()
      setAuthorization(init, retry.header)
      return withApiErrorHint(await next.execute(url, init, requestOptions))
    },
  }
  return middleware
}
