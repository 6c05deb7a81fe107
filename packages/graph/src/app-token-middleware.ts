import { isReplayableBody, type RequestAuthorizer } from '@apptoken/core/adapter'
import {
  AuthenticationHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client'
import { withApiErrorHint } from './api-error-hint.js'
import { throwAsGraphClientError } from './graph-client-error.js'
import { setAuthorization, urlOf } from './graph-request.js'

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
