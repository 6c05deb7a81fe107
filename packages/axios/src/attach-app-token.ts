import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios'
import { ConfigurationError, type AppTokenOptions, type TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer, isReplayableBody, issuedAuthorizations } from '@apptoken/core/adapter'
import type { Authorization } from '@apptoken/core/adapter'
import { recordResponseUrl, redirectGuard, respondingUrl, targetUrl, targetUrlMemo } from './axios-urls.js'

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

/**
 * axios' errors carry the Authorization header they sent; `redact` (axios 1.21) masks listed keys
 * in `AxiosError#toJSON()`, reading the error's config when called. It is added here, to the
 * config of each error our interceptor sees (all of them), not to the instance's defaults: a
 * default `redact` costs every request (~2 % of sequential throughput, measured in bench/).
 */
function redactAuthorization(config: InternalAxiosRequestConfig | undefined): void {
  if (config === undefined || config === null) return
  const own = config as { redact?: unknown }
  const list = Object.hasOwn(own, 'redact') && Array.isArray(own.redact) ? own.redact.map(String) : []
  if (!list.some((key) => key.toLowerCase() === 'authorization')) own.redact = [...list, 'authorization']
}

// A string key, not a symbol: axios 1.8's mergeConfig copies only string keys into the retried config.
const RETRIED = 'apptokenRetried'
type Tracked = InternalAxiosRequestConfig & { [RETRIED]?: boolean }
const signalOf = (config: Tracked) => (config.signal instanceof AbortSignal ? config.signal : undefined)
/** The method as axios holds it (lower case); core's DPoP proof names it in upper case. */
const methodOf = (config: Tracked) => config.method ?? 'get'

/**
 * Adds interceptors to `instance`: on requests to allowed origins they set `Authorization: Bearer
 * <app token>` (synchronously when the token is cached, after waiting for it otherwise), and they
 * hand each error response to core's 401 decision and re-send once when core says so. Returns a
 * function that removes them.
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
  const guardRedirects = redirectGuard(auth)
  const readyUrlOf = targetUrlMemo()
  // What a request was sent with is read back from its own Authorization header: nothing is
  // added to the config (which axios prints and copies), and nothing is kept per request.
  const issued = issuedAuthorizations()

  const apply = (config: Tracked, sending: Authorization): Tracked => {
    config.headers.set('Authorization', sending.header)
    if (sending.headers !== undefined) config.headers.set(sending.headers) // a DPoP proof
    issued.remember(sending)
    recordResponseUrl(config)
    guardRedirects(config)
    return config
  }

  const onRequest = async (config: Tracked): Promise<Tracked> => {
    const signal = signalOf(config)
    let sending: Authorization | undefined
    try {
      sending = await auth.authorize(targetUrl(config), signal, undefined, methodOf(config))
    } catch (error) {
      if (!signal?.aborted) throw error
    }
    // On abort, sent on without a token: axios rejects it with its own CanceledError, unsent.
    return sending === undefined ? config : apply(config, sending)
  }

  // A token already cached is set by a synchronous interceptor, so axios keeps its synchronous
  // path (as with a static header); otherwise the asynchronous one waits for it. Which of the two
  // runs is chosen per request, by `runWhen`, which axios calls before either.
  // What `runWhen` decided, in plain variables (no object per request): for which config, on
  // which target URL (the same string again while url, baseURL and allowAbsoluteUrls stay) and method.
  let readyFor: Tracked | undefined
  let readySending: Authorization | undefined
  let readyTarget: string | undefined
  let readyMethod: string | undefined
  const readyNow = (config: Tracked): boolean => {
    readyTarget = readyUrlOf(config)
    readyMethod = config.method
    readySending = auth.authorizeNow(readyTarget, signalOf(config), undefined, methodOf(config))
    readyFor = readySending === undefined ? undefined : config
    return readyFor !== undefined
  }
  const onReady = (config: Tracked): Tracked | Promise<Tracked> => {
    const sending = readySending
    const target = readyUrlOf(config)
    const same = readyFor === config && target === readyTarget && config.method === readyMethod
    readyFor = readySending = undefined
    // An interceptor that ran in between may have changed the URL or method: then it is decided again.
    if (same) return apply(config, sending!)
    const now = auth.authorizeNow(target, signalOf(config), undefined, methodOf(config))
    if (now !== undefined) return apply(config, now)
    if (!auth.isAllowed(target)) return config
    // Reached only when axios runs the chain asynchronously (another interceptor is asynchronous)
    // and the token expired since `runWhen`: then a promise is what axios expects.
    return onRequest(config)
  }

  const onError = async (error: unknown): Promise<AxiosResponse> => {
    const { config, response } = (error ?? {}) as Partial<AxiosError>
    const tracked = config as Tracked | undefined
    redactAuthorization(tracked)
    if (response === undefined || tracked === undefined) throw error
    const signal = signalOf(tracked)
    const decision = auth.onResponse({
      url: respondingUrl(response, tracked), // undefined when axios cannot tell: no refresh
      status: response.status,
      wwwAuthenticate: response.headers['www-authenticate'] as string | string[] | undefined,
      sent: issued.sentWith(tracked.headers?.get?.('Authorization')),
      replayable: isReplayableBody(tracked.data),
      retried: tracked[RETRIED] === true,
      signal,
      method: methodOf(tracked),
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

  const ours = (config: Tracked) => config.appToken !== false && config[RETRIED] !== true
  // axios evaluates every runWhen in order before it runs the chain: `readyNow` first.
  const waitingId = instance.interceptors.request.use(onRequest, undefined, {
    runWhen: (config: Tracked) => ours(config) && !readyNow(config),
  })
  const readyId = instance.interceptors.request.use(onReady, undefined, {
    synchronous: true,
    runWhen: (config: Tracked) => readyFor === config,
  })
  const responseId = instance.interceptors.response.use(undefined, onError)
  return () => {
    instance.interceptors.request.eject(waitingId)
    instance.interceptors.request.eject(readyId)
    instance.interceptors.response.eject(responseId)
  }
}
