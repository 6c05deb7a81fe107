import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import { claimsFromChallenge, setAuthorization, type HeadersLike } from '@apptoken/core/adapter'
import type { RequestOption } from '@microsoft/kiota-abstractions'
import { graphAuthorizer, type GraphTargetOptions } from './graph-authorizer.js'
import { sendWithAppToken } from './send-with-app-token.js'

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

/** The Authorization Kiota's authentication provider put on the request, if any. */
function sentWith(init: RequestInit) {
  const header = new Headers(init.headers).get('authorization') ?? ''
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1]
  return token === undefined ? undefined : { header, token }
}

/**
 * A Kiota middleware that lets core decide on a 401 (the shared send step of both Graph middlewares): one refresh and
 * one retry. Claims challenges are left to Kiota, which asks the token provider for those claims
 * itself. Put it first.
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
  const leave = (r: Response) =>
    r.status === 401 && claimsFromChallenge(r.headers.get('www-authenticate')) !== undefined
  const middleware: KiotaMiddleware = {
    next: undefined,
    execute(url, init, requestOptions) {
      const next = middleware.next
      if (next === undefined)
        throw new ConfigurationError(
          'middleware',
          'nothing follows appTokenRetryMiddleware',
          'put it first, before MiddlewareFactory.getDefaultMiddlewares()',
        )
      const send = () => next.execute(url, init, requestOptions)
      const authorize = (header: string) =>
        void (init.headers = setAuthorization(init.headers as HeadersLike, header) as HeadersInit)
      const exchange = { auth, sent: sentWith(init), body: init.body, signal: init.signal, send, authorize }
      return sendWithAppToken({ ...exchange, leave }) as Promise<Response>
    },
  }
  return middleware
}
