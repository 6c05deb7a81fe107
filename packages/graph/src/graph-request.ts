import { setAuthorization as setHeader, type HeadersLike } from '@apptoken/core/adapter'
import type { Context } from '@microsoft/microsoft-graph-client'

/**
 * The URL a Graph v3 middleware context is about to fetch (a string or a `Request`), as given to `fetch`.
 *
 * @example
 * ```ts
 * if (!auth.isAllowed(urlOf(context))) setAuthorization(context, undefined)
 * ```
 */
export const urlOf = (context: Context): string =>
  typeof context.request === 'string' ? context.request : context.request.url

/**
 * Sets (never appends) or removes the Authorization header of a Graph v3 request, wherever
 * `fetch(context.request, context.options)` will read it from.
 *
 * @example
 * ```ts
 * setAuthorization(context, 'Bearer eyJ...') // or undefined to remove it
 * ```
 */
export function setAuthorization(context: Context, value: string | undefined): void {
  const options = (context.options ??= {})
  if (typeof context.request !== 'string') {
    setHeader(context.request.headers, value)
    // fetch(request, options) sends options.headers instead of the Request's, when there are any.
    if (options.headers === undefined) return
  }
  // A plain record, spelled `Authorization`: the SDK's RedirectHandler deletes that key on a cross-origin redirect.
  const headers = options.headers instanceof Headers ? Object.fromEntries(options.headers) : options.headers
  options.headers = setHeader(headers as HeadersLike | undefined, value) as Record<string, string>
}
