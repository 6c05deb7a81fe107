import { type AppTokenOptions, type TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer, isReplayableBody } from '@apptoken/core/adapter'
import type { GotAppTokenExtension, GotRequestOptions } from './got-types.js'
import { CONTEXT_KEY, RequestState } from './request-state.js'

/**
 * Options of {@link appToken}: `scopes`, and where the token may go — `origins`, or by default
 * the origin of `prefixUrl`.
 *
 * @example
 * ```ts
 * const options: GotAppTokenOptions = { scopes: 'api://my-api/.default', prefixUrl: 'https://api.contoso.com' }
 * ```
 */
export interface GotAppTokenOptions extends AppTokenOptions {
  /**
   * The `prefixUrl` you give got; its origin may receive the token when `origins` is omitted.
   * Needed because `appToken()` runs before `got.extend()` and cannot read got's options.
   */
  prefixUrl?: string | URL
}

/**
 * Got options that attach an app token to requests for the allowed origins and, on a 401 from
 * one of them, refresh the token and retry once (`retryWithMergedOptions`). Every redirect hop is
 * checked again, so a redirect to another origin never carries the token.
 *
 * @example
 * ```ts
 * import got from 'got'
 * const prefixUrl = 'https://api.contoso.com'
 * const api = got.extend({ prefixUrl }, appToken(provider, { scopes: 'api://my-api/.default', prefixUrl }))
 * const items = await api.get('todolist').json()
 * ```
 */
export function appToken(provider: TokenProvider, options: GotAppTokenOptions): GotAppTokenExtension {
  const authorizer = createRequestAuthorizer(provider, options, {
    baseUrl: options?.prefixUrl,
    adapter: 'got',
    baseUrlOption: 'prefixUrl',
  })

  // Removes only the header apptoken set: a header the caller chose is theirs to send.
  const strip = (request: GotRequestOptions): void => {
    const state = RequestState.of(request.context)
    if (state !== undefined && request.headers.authorization === state.header)
      delete request.headers.authorization
  }

  const hooks: GotAppTokenExtension['hooks'] = {
    // Runs for the first request, every redirect hop and every retry: the origin is checked each time.
    beforeRequest: [
      async (request) => {
        const url = request.url
        if (url === undefined || !authorizer.isAllowed(url)) return strip(request)
        const state = RequestState.of(request.context)
        if (state?.retried) {
          request.headers.authorization = state.header
          return
        }
        const auth = await authorizer.authorize(url, request.signal)
        if (auth === undefined) return strip(request)
        request.headers.authorization = auth.header
        request.context[CONTEXT_KEY] = new RequestState(auth, false)
      },
    ],
    beforeRedirect: [
      (updated) => {
        if (updated.url === undefined || !authorizer.isAllowed(updated.url)) strip(updated)
      },
    ],
    afterResponse: [
      async (response, retryWithMergedOptions) => {
        if (response.statusCode !== 401) return response
        const request = response.request.options
        // A consumed stream cannot be sent again: the caller gets the 401.
        if (!isReplayableBody(request.body)) return response
        const state = RequestState.of(request.context)
        const next = await authorizer.onUnauthorized({
          url: response.url,
          wwwAuthenticate: response.headers['www-authenticate'],
          token: state?.token,
          retried: state?.retried ?? false,
          signal: request.signal,
        })
        if (next === undefined) return response
        return retryWithMergedOptions({
          headers: { authorization: next.header },
          context: { [CONTEXT_KEY]: new RequestState(next, true) },
        })
      },
    ],
  }
  return { hooks }
}
