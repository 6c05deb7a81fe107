import type { Context, Middleware } from '@microsoft/microsoft-graph-client'
import { setAuthorization, urlOf } from './graph-request.js'

/**
 * A Graph v3 handler that {@link createGraphClient} puts right before the one that sends: it runs
 * on every hop, redirects included, and removes `Authorization` when the URL about to be fetched
 * is not allowed. The SDK's `RedirectHandler` keeps the header for a `Location` without `://`
 * (`http:evil/b`, `http:\\evil/d`, `https:evil.com/x`), which fetch resolves to another host.
 *
 * @example
 * ```ts
 * const chain = [new AppTokenMiddleware(authorizerFor), new RedirectHandler(), new HopGuard((url) => auth.isAllowed(url)), new HTTPMessageHandler()]
 * ```
 */
export class HopGuard implements Middleware {
  #next: Middleware | undefined
  readonly #isAllowed: (url: string) => boolean

  constructor(isAllowed: (url: string) => boolean) {
    this.#isAllowed = isAllowed
  }

  setNext(next: Middleware): void {
    this.#next = next
  }

  async execute(context: Context): Promise<void> {
    // fetch parses this very string (WHATWG URL), and so does the check.
    if (!this.#isAllowed(urlOf(context))) setAuthorization(context, undefined)
    await this.#next!.execute(context)
  }
}
