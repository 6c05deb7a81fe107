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
