import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios'

// axios' own rule (buildFullPath + combineURLs), without the config merge inside getUri() (about
// 10 µs a request). Only the origin matters here, so params are left out.
const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i
/** The URL axios will request for `config` (`baseURL` + `url`, `allowAbsoluteUrls` included). */
export function targetUrl(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? ''
  const base = config.baseURL
  if (!base || (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false)) return url
  return url ? `${base.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : base
}

type Fetch = (input: unknown, init?: unknown) => Promise<{ url: string }>
/** `Response.url` per fetch `Request` (axios' fetch adapter puts that Request on its response). */
const answered = new WeakMap<object, string>()
const recorders = new WeakMap<Fetch, Fetch>()
const recorder =
  (fetch: () => Fetch): Fetch =>
  async (input, init) => {
    const response = await fetch()(input, init)
    if (typeof input === 'object' && input !== null) answered.set(input, response.url)
    return response
  }
const globalRecorder = recorder(() => globalThis.fetch as unknown as Fetch)

/** Wraps `config.env.fetch` (which axios 1.21's fetch adapter calls; 1.8 calls the global one) to note `Response.url`. */
export function recordResponseUrl(config: InternalAxiosRequestConfig): void {
  const inner = (config.env as { fetch?: Fetch } | undefined)?.fetch
  let fetch = inner === undefined ? globalRecorder : recorders.get(inner)
  if (fetch === undefined) recorders.set(inner!, (fetch = recorder(() => inner!)))
  config.env = { ...config.env, fetch } as NonNullable<InternalAxiosRequestConfig['env']>
}

/**
 * The URL that really answered, or `undefined` when axios cannot tell: follow-redirects'
 * `responseUrl` (http adapter), XHR's `responseURL`, fetch's `Response.url` (see
 * {@link recordResponseUrl}), or the request's own URL when no redirect could be followed
 * (a fetch `redirect` other than `follow`; `maxRedirects: 0` on the http adapter).
 */
export function respondingUrl(
  response: AxiosResponse,
  config: InternalAxiosRequestConfig,
): string | undefined {
  type Sent = { res?: { responseUrl?: unknown }; responseURL?: unknown; redirect?: unknown; url?: unknown }
  const request = response.request as Sent | undefined
  const reported = request?.res?.responseUrl ?? request?.responseURL ?? (request && answered.get(request))
  if (typeof reported === 'string' && reported !== '') return reported
  // A fetch Request (axios 1.8's fetch adapter ignores maxRedirects, so only `redirect` counts).
  if (typeof request?.redirect === 'string')
    return request.redirect === 'follow' ? undefined : String(request.url)
  return config.maxRedirects === 0 ? targetUrl(config) : undefined
}
