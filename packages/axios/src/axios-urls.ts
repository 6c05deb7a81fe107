import { setAuthorization } from '@apptoken/core/adapter'
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios'

// axios' own rule (buildFullPath + combineURLs), without the config merge inside getUri() (about
// 10 µs a request). Only the origin matters here, so params are left out.
const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i
/** The URL axios will request for `config` (`baseURL` + `url`, `allowAbsoluteUrls` included). */
export function targetUrl(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? ''
  const base = config.baseURL
  if (!base) return url
  // The common case, '/path' on a base without a trailing '/': what the rule below gives, cheaper.
  if (url.charCodeAt(0) === 47 && url.charCodeAt(1) !== 47 && base.charCodeAt(base.length - 1) !== 47)
    return base + url
  if (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false) return url
  return url ? `${base.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : base
}

/**
 * {@link targetUrl} for one client, the same string again for the same `url`, `baseURL` and
 * `allowAbsoluteUrls` (one API path after another is the common case): no string is built.
 */
export function targetUrlMemo(): (config: InternalAxiosRequestConfig) => string {
  let url: string | undefined
  let base: string | undefined
  let absolute: boolean | undefined
  let target = ''
  return (config) => {
    if (
      config.url !== url ||
      config.baseURL !== base ||
      config.allowAbsoluteUrls !== absolute ||
      url === undefined
    ) {
      url = config.url
      base = config.baseURL
      absolute = config.allowAbsoluteUrls
      target = targetUrl(config)
    }
    return target
  }
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

// axios' own test for whether its http adapter can run here.
const hasHttpAdapter = Object.prototype.toString.call(globalThis.process) === '[object process]'

/** Whether axios may pick its fetch adapter for `config` (its default list picks http on Node). */
function mayUseFetch(adapter: unknown): boolean {
  for (const name of Array.isArray(adapter) ? adapter : [adapter]) {
    if (name === 'http' && hasHttpAdapter) return false
    if (name === 'xhr' && typeof XMLHttpRequest !== 'undefined') return false
    if (name !== 'http' && name !== 'xhr') return true // 'fetch', or a function: it may be fetch
  }
  return true
}

/** Wraps `config.env.fetch` (which axios 1.21's fetch adapter calls; 1.8 calls the global one) to note `Response.url`. */
export function recordResponseUrl(config: InternalAxiosRequestConfig): void {
  if (!mayUseFetch(config.adapter)) return
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

type BeforeRedirect = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>
/**
 * Sets `config.beforeRedirect` so every hop is checked against the allow-list: follow-redirects
 * keeps the header for a subdomain. One guard per client `beforeRedirect`, made once.
 */
export function redirectGuard(auth: {
  isAllowed(url: string): boolean
}): (config: InternalAxiosRequestConfig) => void {
  const guards = new WeakMap<BeforeRedirect, BeforeRedirect>()
  const ours = new WeakSet<BeforeRedirect>()
  const make = (next: BeforeRedirect | undefined): BeforeRedirect => {
    const guard: BeforeRedirect = (redirect, ...rest) => {
      if (!auth.isAllowed(String(redirect.href)))
        redirect.headers = setAuthorization(redirect.headers as Record<string, string>, undefined)
      next?.(redirect, ...rest)
    }
    ours.add(guard)
    return guard
  }
  const plain = make(undefined)
  return (config) => {
    const next = config.beforeRedirect
    if (next === undefined) config.beforeRedirect = plain
    else if (!ours.has(next)) {
      let guard = guards.get(next)
      if (guard === undefined) guards.set(next, (guard = make(next)))
      config.beforeRedirect = guard
    }
  }
}
