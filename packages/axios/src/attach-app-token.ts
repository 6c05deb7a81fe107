import type {
  AxiosError,
  AxiosInstance,
  AxiosRequestConfig,
  AxiosResponse,
  InternalAxiosRequestConfig,
} from 'axios'
import { ConfigurationError, type AppTokenOptions, type TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer, isReplayableBody } from '@apptoken/core/adapter'

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

// A string key, not a symbol: axios 1.8's mergeConfig copies only string keys into the retried config.
const RETRIED = 'apptokenRetried'

interface Tracked extends InternalAxiosRequestConfig {
  [RETRIED]?: boolean
}

/**
 * The parts of an axios instance the adapter uses. Structural on purpose: axios ships separate
 * type files for ES modules and CommonJS, and an instance typed by either must be accepted.
 *
 * @example
 * ```ts
 * const instance: AxiosInstanceLike = axios.create({ baseURL: 'https://api.contoso.com' })
 * attachAppToken(instance, provider, { scopes: 'api://contoso-api/.default' })
 * ```
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- `any` keeps both axios type files' signatures assignable */
export interface AxiosInstanceLike {
  defaults: { baseURL?: string | undefined; redact?: string[] | undefined }
  request(config: any): Promise<any>
  interceptors: {
    request: {
      use(
        onFulfilled?: ((v: any) => any) | null,
        onRejected?: ((e: any) => any) | null,
        options?: any,
      ): number
      eject(id: number): void
    }
    response: {
      use(onFulfilled?: ((v: any) => any) | null, onRejected?: ((e: any) => any) | null): number
      eject(id: number): void
    }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// axios's own rule (buildFullPath + combineURLs), without the config merge inside getUri(),
// which costs about 10 µs a request. Only the origin matters here, so params are left out.
const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i
const targetUrl = (config: InternalAxiosRequestConfig): string => {
  const url = config.url ?? ''
  const base = config.baseURL
  if (!base || (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false)) return url
  return url ? `${base.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : base
}

const asSignal = (signal: unknown): AbortSignal | undefined =>
  signal instanceof AbortSignal ? signal : undefined

/**
 * Adds two interceptors to `instance`: one sets `Authorization: Bearer <app token>` on requests
 * to allowed origins, the other retries a 401 from those origins once with a refreshed token.
 * Returns a function that removes both.
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
    throw new ConfigurationError(
      'instance',
      'it is not an axios instance',
      'pass axios itself or the result of axios.create(...)',
    )
  }
  const authorizer = createRequestAuthorizer(provider, options, {
    baseUrl: instance.defaults.baseURL,
    adapter: 'axios',
  })
  // axios' own errors carry the Authorization header they sent; `redact` (axios 1.21; ignored by
  // older ones) masks it in AxiosError#toJSON(). A list the user chose is left as it is.
  const defaults = axiosInstance.defaults
  defaults.redact ??= ['authorization']
  // The token each request was sent with, kept off the config so no inspect or log shows it. The
  // config object the request interceptor returns is the one axios hands to the error interceptor.
  const sentTokens = new WeakMap<object, string>()

  const onRequest = async (config: Tracked): Promise<Tracked> => {
    if (config[RETRIED] === true) return config // carries the header the 401 handler chose
    const signal = asSignal(config.signal)
    let auth
    try {
      auth = await authorizer.authorize(targetUrl(config), signal)
    } catch (error) {
      // Sent on without a token, axios itself rejects it with its usual CanceledError before sending.
      if (signal?.aborted) return config
      throw error
    }
    if (auth === undefined) return config
    config.headers.set('Authorization', auth.header)
    sentTokens.set(config, auth.token)
    recordResponseUrl(config)
    const next = config.beforeRedirect
    // follow-redirects keeps the header for a subdomain; apptoken's allow-list is stricter.
    config.beforeRedirect = (...args) => {
      const [redirect] = args
      if (!authorizer.isAllowed(String(redirect.href))) {
        const headers = (redirect.headers ?? {}) as Record<string, unknown>
        for (const name of Object.keys(headers))
          if (name.toLowerCase() === 'authorization') delete headers[name]
      }
      next?.(...args)
    }
    return config
  }

  const onError = async (error: unknown): Promise<AxiosResponse> => {
    const { config, response } = (error ?? {}) as Partial<AxiosError>
    const tracked = config as Tracked | undefined
    if (response?.status !== 401 || tracked === undefined || tracked.appToken === false) throw error
    const signal = asSignal(tracked.signal)
    const retried = tracked[RETRIED] === true
    const retry: AxiosRequestConfig & { [RETRIED]: true } = { ...tracked, [RETRIED]: true }
    // A 401 counts only from the URL that really answered; when axios cannot tell, no refresh.
    const answeredBy = respondingUrl(response, tracked, () => targetUrl(tracked))
    if (answeredBy === undefined) throw error
    let auth
    try {
      auth = await authorizer.onUnauthorized({
        url: answeredBy,
        wwwAuthenticate: response.headers['www-authenticate'] as string | string[] | undefined,
        token: sentTokens.get(tracked),
        retried,
        signal,
      })
    } catch (failure) {
      if (signal?.aborted) return instance.request(retry) // rejected by axios with its CanceledError, unsent
      throw failure
    }
    // The refresh above still heals the cache for later requests; this one cannot be re-sent.
    if (auth === undefined || !isReplayableBody(tracked.data)) throw error
    retry.headers = tracked.headers.set('Authorization', auth.header)
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
