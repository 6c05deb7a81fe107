import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios'

type Fetch = (input: unknown, init?: Record<PropertyKey, unknown>) => Promise<{ url: string }>

/**
 * Where one request's fetch response came from, filled in by {@link recordResponseUrl}'s fetch. A
 * class, so axios' config merge passes it on by reference instead of copying it.
 */
class Answer {
  url: string | undefined
}

// A string key in `fetchOptions`: axios' fetch adapter passes it to fetch with the init (axios'
// config merge drops symbol keys there). fetch ignores it.
const ANSWER = 'apptokenAnswer'
const answers = new WeakMap<object, Answer>()
const recorders = new WeakMap<Fetch, Fetch>()

/** A fetch that notes `Response.url` (the URL that answered, after redirects) for the request. */
function recorder(inner: Fetch | undefined): Fetch {
  const key = inner ?? (globalThis.fetch as unknown as Fetch)
  let fetch = recorders.get(key)
  if (fetch === undefined) {
    fetch = async (input, init) => {
      const response = await (inner ?? (globalThis.fetch as unknown as Fetch))(input, init)
      const answer = init?.[ANSWER] as Answer | undefined
      if (answer !== undefined) answer.url = response.url
      return response
    }
    recorders.set(key, fetch)
  }
  return fetch
}

/**
 * Lets axios' fetch adapter tell where a response came from: it calls the config's `env.fetch`
 * (axios 1.21 does; 1.8 calls the global `fetch`), which this wraps to note `Response.url`. Other adapters ignore both options.
 *
 * @example
 * ```ts
 * recordResponseUrl(config) // in a request interceptor, before axios picks the adapter
 * ```
 */
export function recordResponseUrl(config: InternalAxiosRequestConfig): void {
  const answer = new Answer()
  const env = config.env as { fetch?: Fetch } | undefined
  config.env = { ...env, fetch: recorder(env?.fetch) } as NonNullable<InternalAxiosRequestConfig['env']>
  config.fetchOptions = { ...config.fetchOptions, [ANSWER]: answer }
  answers.set(config, answer)
}

/**
 * The URL that really answered, or `undefined` when axios cannot tell (then a 401 forces no
 * refresh): follow-redirects' `responseUrl` (node adapter), XHR's `responseURL`, fetch's
 * `Response.url` through {@link recordResponseUrl}, or the request's own URL when no redirect
 * could have been followed (`maxRedirects: 0`, or a fetch with `redirect` other than `follow`).
 *
 * @example
 * ```ts
 * const url = respondingUrl(error.response, error.config) // undefined: do not refresh
 * ```
 */
export function respondingUrl(
  response: AxiosResponse,
  config: InternalAxiosRequestConfig,
  requested: () => string,
): string | undefined {
  const request = response.request as
    { res?: { responseUrl?: unknown }; responseURL?: unknown; redirect?: unknown; url?: unknown } | undefined
  const reported = request?.res?.responseUrl ?? request?.responseURL ?? answers.get(config)?.url
  if (typeof reported === 'string' && reported !== '') return reported
  if (
    typeof request?.redirect === 'string' &&
    request.redirect !== 'follow' &&
    typeof request.url === 'string'
  )
    return request.url
  return config.maxRedirects === 0 ? requested() : undefined
}
