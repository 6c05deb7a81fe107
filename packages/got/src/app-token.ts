import type { AppTokenOptions, TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer, isReplayableBody } from '@apptoken/core/adapter'
import type { GotAppTokenExtension, GotRequestOptions } from './got-types.js'
import { CONTEXT_KEY, RequestState } from './request-state.js'

/**
 * Options of {@link appToken}: `scopes`, and where the token may go: `origins`, by default the
 * origin of the `prefixUrl` each request sees.
 * @example `const options: GotAppTokenOptions = { scopes: 'api://my-api/.default' }`
 */
export interface GotAppTokenOptions extends AppTokenOptions {
  /** @deprecated Unnecessary: the hooks read got's `prefixUrl` from each request. Removed in the next minor. */
  prefixUrl?: string | URL
}

/**
 * got hooks that attach an app token to requests for got's `prefixUrl` (or `origins`), checked on
 * every hop, and re-send a 401 from there once with a refreshed token (`retryWithMergedOptions`).
 * got 14, 15 and 16, in either `extend` order.
 * @example `const api = got.extend({ prefixUrl: 'https://api.contoso.com' }, appToken(provider, { scopes }))`
 */
export function appToken(provider: TokenProvider, options: GotAppTokenOptions): GotAppTokenExtension {
  const context = {
    baseUrl: options?.prefixUrl,
    baseUrlPerRequest: true,
    adapter: 'got',
    baseUrlOption: 'prefixUrl',
  }
  const auth = createRequestAuthorizer(provider, options, context)
  const baseUrlOf = (request: GotRequestOptions) => request.prefixUrl || undefined

  return {
    hooks: {
      // got runs this for the first request, every redirect hop and every retry: each hop is checked.
      beforeRequest: [
        async (request) => {
          const { url, signal } = request
          const state = RequestState.of(request.context)
          const retried =
            state?.retried === true && url !== undefined && auth.isAllowed(url, baseUrlOf(request))
          const sent = retried ? state.auth : url && (await auth.authorize(url, signal, baseUrlOf(request)))
          if (sent) {
            request.headers.authorization = sent.header
            if (!retried) request.context[CONTEXT_KEY] = new RequestState(sent, false)
          } else if (state !== undefined && request.headers.authorization === state.auth.header) {
            delete request.headers.authorization // only ours: a header the caller set is theirs to send
          }
        },
      ],
      afterResponse: [
        (response, retryWithMergedOptions) => {
          const request = response.request.options
          const state = RequestState.of(request.context)
          const facts = {
            url: response.url,
            status: response.statusCode,
            wwwAuthenticate: response.headers['www-authenticate'],
            sent: state?.auth,
            replayable: isReplayableBody(request.body),
            retried: state?.retried === true,
            signal: request.signal,
          }
          return (
            auth.onResponse(facts, baseUrlOf(request))?.then((retry) => {
              if (retry === undefined) return response
              const merged = { authorization: retry.header }
              return retryWithMergedOptions({
                headers: merged,
                context: { [CONTEXT_KEY]: new RequestState(retry, true) },
              })
            }) ?? response
          )
        },
      ],
    },
  }
}
