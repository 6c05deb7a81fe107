import type { RequestAuthorizer } from '@apptoken/core/adapter'
import {
  AuthenticationHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client'
import { throwAsGraphClientError } from './graph-client-error.js'
import { setAuthorization, urlOf } from './graph-request.js'
import { sendWithAppToken } from './send-with-app-token.js'

/**
 * The first handler of a Graph v3 chain: sets the app token on requests to allowed hosts only and
 * lets core decide on the answer (the shared send step of both Graph middlewares). Per-request
 * `AuthenticationHandlerOptions` scopes are honoured.
 *
 * @example
 * ```ts
 * const chain = [new AppTokenMiddleware((scopes) => auth), new RetryHandler(), new HTTPMessageHandler()]
 * ```
 */
export class AppTokenMiddleware implements Middleware {
  #next: Middleware | undefined

  constructor(private readonly authorizerFor: (scopes: readonly string[] | undefined) => RequestAuthorizer) {}

  setNext(next: Middleware): void {
    this.#next = next
  }

  async execute(context: Context): Promise<void> {
    const next = this.#next! // createGraphClient always puts a tail after this handler
    const handler = context.middlewareControl?.getMiddlewareOptions(AuthenticationHandlerOptions) as
      AuthenticationHandlerOptions | undefined
    const auth = this.authorizerFor(handler?.authenticationProviderOptions?.scopes)
    const signal = context.options?.signal
    const sent = await auth.authorize(urlOf(context), signal ?? undefined).catch(throwAsGraphClientError)
    setAuthorization(context, sent?.header)
    const send = () => next.execute(context).then(() => context.response)
    const authorize = (header: string) => setAuthorization(context, header)
    const body = context.options?.body
    const response = await sendWithAppToken({ auth, sent, body, signal, send, authorize }).catch(
      throwAsGraphClientError,
    )
    if (response !== undefined) context.response = response
  }
}
