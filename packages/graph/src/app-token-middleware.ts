import { isReplayableBody, type RequestAuthorizer } from '@apptoken/core/adapter'
import {
  AuthenticationHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client'
import { withApiErrorHint } from './api-error-hint.js'
import { throwAsGraphClientError } from './graph-client-error.js'

const urlOf = (context: Context): string =>
  typeof context.request === 'string' ? context.request : context.request.url

/** Sets (never appends) or removes the Authorization header of the request. */
function setAuthorization(context: Context, value: string | undefined): void {
  const options = (context.options ??= {})
  if (typeof context.request !== 'string') {
    if (value === undefined) context.request.headers.delete('authorization')
    else context.request.headers.set('authorization', value)
    // fetch(request, options) sends options.headers instead of the Request's, when there are any.
    if (options.headers === undefined) return
  }
  const current = options.headers
  const headers: Record<string, string> =
    current instanceof Headers || Array.isArray(current)
      ? Object.fromEntries(new Headers(current))
      : { ...current }
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name]
  // This exact spelling: the SDK's RedirectHandler drops `Authorization` on a cross-origin redirect.
  if (value !== undefined) headers.Authorization = value
  options.headers = headers
}

/**
 * The first handler of a Graph v3 chain: sets the app token on requests to allowed hosts only,
 * retries a 401 once (core decides: forced refresh, or the claims of a challenge) and adds a hint to
 * 401/403 errors. Per-request `AuthenticationHandlerOptions` scopes are honoured.
 */
export class AppTokenMiddleware implements Middleware {
  #next: Middleware | undefined
  readonly #authorizerFor: (scopes: readonly string[] | undefined) => RequestAuthorizer

  constructor(authorizerFor: (scopes: readonly string[] | undefined) => RequestAuthorizer) {
    this.#authorizerFor = authorizerFor
  }

  setNext(next: Middleware): void {
    this.#next = next
  }

  async execute(context: Context): Promise<void> {
    // createGraphClient always puts a tail after this handler.
    const next = this.#next!
    const handlerOptions = context.middlewareControl?.getMiddlewareOptions(AuthenticationHandlerOptions) as
      AuthenticationHandlerOptions | undefined
    const auth = this.#authorizerFor(handlerOptions?.authenticationProviderOptions?.scopes)
    const signal = context.options?.signal ?? undefined
    const sent = await auth.authorize(urlOf(context), signal).catch(throwAsGraphClientError)
    setAuthorization(context, sent?.header)
    await next.execute(context)
    if (sent === undefined || context.response === undefined) return
    const response = context.response
    if (response.status === 401 && isReplayableBody(context.options?.body)) {
      const wwwAuthenticate = response.headers.get('www-authenticate')
      const retry = await auth
        .onUnauthorized({
          url: response.url || urlOf(context),
          wwwAuthenticate,
          token: sent.token,
          retried: false,
          signal,
        })
        .catch(throwAsGraphClientError)
      if (retry !== undefined) {
        await response.body?.cancel()
        setAuthorization(context, retry.header)
        await next.execute(context)
      }
    }
    if (context.response !== undefined) context.response = await withApiErrorHint(context.response)
  }
}
