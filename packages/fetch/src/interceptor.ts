import { type AppTokenOptions, type TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer } from '@apptoken/core/adapter'
import { AuthHandler } from './auth-handler.js'
import type { Dispatch, DispatchInterceptor } from './dispatch-types.js'
import { dispatchUrl } from './dispatch-url.js'

/**
 * An undici interceptor that attaches an app token to requests for the allowed `origins` and,
 * on a 401, refreshes the token and re-sends once — when the body can be sent again (none, a
 * string or bytes; a stream or iterable body gets the 401). The origin checked is the one undici
 * connects to (`opts.origin`), on every dispatch, so a redirect interceptor composed after this
 * one never carries the token to another origin; a path that is not plain origin-form (`//host`,
 * `/\host`, an absolute URL) gets no token. A 401 that arrives after an interceptor composed
 * inside this one redirected or re-sent the request is handed to the caller as is: it may not
 * come from an allowed origin.
 *
 * @example
 * ```ts
 * import { Agent, interceptors, request } from 'undici'
 * const dispatcher = new Agent().compose(appTokenInterceptor(provider, { scopes, origins: ['https://api.contoso.com'] }), interceptors.redirect())
 * const { statusCode, body } = await request('https://api.contoso.com/todolist', { dispatcher })
 * ```
 */
export function appTokenInterceptor(provider: TokenProvider, options: AppTokenOptions): DispatchInterceptor {
  const authorizer = createRequestAuthorizer(provider, options, { adapter: 'appTokenInterceptor' })
  return <D>(next: D): D => {
    const dispatch = next as Dispatch
    const intercepted: Dispatch = (opts, handler) => {
      // Where undici really sends it; undefined (no token) when that is not certain.
      const url = dispatchUrl(opts)
      if (url === undefined) return dispatch(opts, handler)
      // A token already cached goes out in this same call, as a static header would.
      const signal = opts.signal instanceof AbortSignal ? opts.signal : undefined
      const ready = authorizer.authorizeNow(url, signal, undefined, opts.method ?? 'GET')
      if (ready !== undefined) return new AuthHandler(dispatch, opts, handler, authorizer, url).send(ready)
      if (!authorizer.isAllowed(url)) return dispatch(opts, handler)
      new AuthHandler(dispatch, opts, handler, authorizer, url).start()
      return true
    }
    return intercepted as D
  }
}
