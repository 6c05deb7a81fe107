import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios'
import { ConfigurationError, type AppTokenOptions, type TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer, isReplayableBody, setAuthorization } from '@apptoken/core/adapter'
import type { Authorization } from '@apptoken/core/adapter'
import { recordResponseUrl, respondingUrl, targetUrl } from './axios-urls.js'

declare module 'axios' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-explicit-any -- must repeat axios' own type parameter
  interface AxiosRequestConfig<D = any> {
    /** `false` sends this request without the app token and without the 401 retry. */
    appToken?: boolean
  }
}

/**
 * Options of {@link attachAppToken}: the scope of the API, and which origins may receive the
 * token (default: the instance's `baseURL`).
 *
 * @example
 * ```ts
 * const options: AxiosAppTokenOptions = { scopes: 'api://my-api/.default', origins: ['https://api.contoso.com'] }
 * ```
 */
export type AxiosAppTokenOptions = AppTokenOptions

/* eslint-disable @typescript-eslint/no-explicit-any -- `any` keeps both axios type files' signatures assignable */
/**
 * One of an axios instance's interceptor managers (`instance.interceptors.request` or `.response`).
 *
 * @example
 * ```ts
 * const manager: AxiosInterceptorsLike = axios.create().interceptors.request
 * ```
 */
export type AxiosInterceptorsLike = {
  use(onFulfilled?: any, onRejected?: any, options?: any): number
  eject(id: number): void
}
/**
 * The parts of an axios instance the adapter uses: structural, so an instance typed by axios' ESM
 * or CommonJS type files fits.
 *
 * @example
 * ```ts
 * const instance: AxiosInstanceLike = axios.create({ baseURL: 'https://api.contoso.com' })
 * ```
 */
export interface AxiosInstanceLike {
  defaults: { baseURL?: string | undefined; redact?: string[] | undefined }
  request(config: any): Promise<any>
  interceptors: { request: AxiosInterceptorsLike; response: AxiosInterceptorsLike }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// A string key, not a symbol: axios 1.8's mergeConfig copies only string keys into the retried config.
const RETRIED = 'apptokenRetried'
type Tracked = InternalAxiosRequestConfig & { [RETRIED]?: boolean }
const signalOf = (config: Tracked) => (config.signal instanceof AbortSignal ? config.signal : undefined)

/**
 * Adds two interceptors to `instance`: one sets `Authorization: Bearer <app token>` on requests
 * to allowed origins, the other hands each error response to core's 401 decision and re-sends
 * once when core says so. Returns a function that removes both.
 *
 * @example
 * ```ts
 * const api = axios.create({ baseURL: 'https://api.contoso.com' })
 * const detach = attachAppToken(api, provider, { scopes: 'api://contoso-api/.default' })
 * const { data } = await api.get('/todolist')
 * ```
 */
export function attachAppToken(
  axiosInstance: AxiosInstanceLike,
  provider: TokenProvider,
  options: AxiosAppTokenOptions,
): () => void {
  const instance = axiosInstance as unknown as AxiosInstance
  if (typeof instance?.interceptors?.request?.use !== 'function') {
    throw new ConfigurationError('instance', 'it is not an axios instance', 'pass axios or axios.create(...)')
  }
  const baseUrl = instance.defaults.baseURL
  const auth = createRequestAuthorizer(provider, options, { baseUrl, adapter: 'axios' })
  // axios' errors carry the Authorization header they sent; `redact` (axios 1.21) masks it in toJSON().
  axiosInstance.defaults.redact ??= ['authorization']
  // What each request was sent with, kept off the config so no inspect or log shows it. The config
  // the request interceptor returns is the one axios hands to the error interceptor.
  const sent = new WeakMap<object, Authorization>()

  const onRequest = async (config: Tracked): Promise<Tracked> => {
    if (config[RETRIED] === true) return config // carries the header core chose for the retry
    const signal = signalOf(config)
    // On abort, sent on without a token: axios rejects it with its own CanceledError, unsent.
    const method = (config.method ?? 'get').toUpperCase()
    const sending = await auth.authorize(targetUrl(config), signal, undefined, method).catch((e: unknown) => {
      if (signal?.aborted) return undefined
      throw e
    })
    if (sending === undefined) return config
    config.headers.set('Authorization', sending.header)
    if (sending.headers !== undefined) config.headers.set(sending.headers) // a DPoP proof
    sent.set(config, sending)
    recordResponseUrl(config)
    const next = config.beforeRedirect
    // follow-redirects keeps the header for a subdomain; the allow-list decides on every hop.
    config.beforeRedirect = (redirect, ...rest) => {
      if (!auth.isAllowed(String(redirect.href)))
        redirect.headers = setAuthorization(redirect.headers as Record<string, string>, undefined)
      next?.(redirect, ...rest)
    }
    return config
  }

  const onError = async (error: unknown): Promise<AxiosResponse> => {
    const { config, response } = (error ?? {}) as Partial<AxiosError>
    const tracked = config as Tracked | undefined
    if (response === undefined || tracked === undefined) throw error
    const signal = signalOf(tracked)
    const decision = auth.onResponse({
      url: respondingUrl(response, tracked), // undefined when axios cannot tell: no refresh
      status: response.status,
      wwwAuthenticate: response.headers['www-authenticate'] as string | string[] | undefined,
      sent: sent.get(tracked),
      replayable: isReplayableBody(tracked.data),
      retried: tracked[RETRIED] === true,
      signal,
      method: (tracked.method ?? 'get').toUpperCase(),
      dpopNonce: response.headers['dpop-nonce'] as string | undefined,
    })
    if (decision === undefined) throw error
    const retry: Tracked = { ...tracked, [RETRIED]: true }
    let next: Authorization | undefined
    try {
      next = await decision
    } catch (failure) {
      if (!signal?.aborted) throw failure
      return instance.request(retry) // axios rejects it unsent, with its CanceledError
    }
    if (next === undefined) throw error
    retry.headers = tracked.headers.set('Authorization', next.header)
    if (next.headers !== undefined) retry.headers.set(next.headers)
    return instance.request(retry)
  }

  const requestId = instance.interceptors.request.use(onRequest, undefined, {
    runWhen: (config) => config.appToken !== false,
  })
  const responseId = instance.interceptors.response.use(undefined, onError)
  return () => {
    instance.interceptors.request.eject(requestId)
    instance.interceptors.response.eject(responseId)
  }
}
