import { type AppTokenOptions, type TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer } from '@apptoken/core/adapter'
import { AuthHandler } from './auth-handler.js'
import type { Dispatch, DispatchInterceptor } from './dispatch-types.js'

/**
 * An undici interceptor that attaches an app token to requests for the allowed `origins` and,
 * on a 401, refreshes the token and re-sends once — when the body can be sent again (none, a
 * string or bytes; a stream or iterable body gets the 401). The origin is checked on every
 * dispatch, so a redirect interceptor composed after this one never carries the token to
 * another origin.
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
      let url: URL
      try {
        url = new URL(opts.path, opts.origin ?? undefined)
      } catch {
        return dispatch(opts, handler) // undici reports the invalid origin or path itself
      }
      if (!authorizer.isAllowed(url)) return dispatch(opts, handler)
      new AuthHandler(dispatch, opts, handler, authorizer, url).start()
      return true
    }
    return intercepted as D
  }
}
