import { type TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer, isReplayableBody } from '@apptoken/core/adapter'
import { readCall, type HookCall } from './hook-call.js'
import { importedKy } from './ky-retry.js'
import type { KyAppTokenHooks, KyAppTokenOptions, KyHook } from './options.js'

interface CallState {
  token?: string
  retried: boolean
}

/**
 * ky hooks that set `Authorization: Bearer <app token>` on requests to allowed origins and retry
 * a 401 from them once with a refreshed token (via `ky.retry`). Works with ky 1.14+ and ky 2.
 *
 * @example
 * ```ts
 * const api = ky.create({ baseUrl: 'https://api.contoso.com', ...appToken(provider, { scopes, baseUrl: 'https://api.contoso.com' }) })
 * const todos = await api.get('todolist').json()
 * ```
 */
export function appToken(provider: TokenProvider, options: KyAppTokenOptions): KyAppTokenHooks {
  const { baseUrl = options.prefixUrl, ky, ...common } = options ?? {}
  const authorizer = createRequestAuthorizer(provider, common, {
    baseUrl,
    adapter: 'ky',
    baseUrlOption: 'baseUrl',
  })
  const retryOf = (major: 1 | 2) => (ky !== undefined ? Promise.resolve(ky) : importedKy(major))
  // Keyed by ky's per-call `context` object: it survives ky's own retries and the 401 retry.
  const calls = new WeakMap<object, CallState>()
  const stateOf = ({ options, request }: HookCall): CallState => {
    const key = options.context ?? request
    let state = calls.get(key)
    if (state === undefined) calls.set(key, (state = { retried: false }))
    return state
  }

  const beforeRequest: KyHook = async (...args: unknown[]) => {
    const call = readCall(args)
    const state = stateOf(call)
    if (state.retried) return // ky 1 runs this hook again for the 401 retry: keep its header
    const { request } = call
    const auth = await authorizer.authorize(request.url, request.signal).catch((error: unknown) => {
      throw request.signal.aborted ? request.signal.reason : error // as if fetch itself were aborted
    })
    if (auth === undefined) return
    await retryOf(call.major) // a mismatched ky fails on the first request, not on the first 401
    request.headers.set('Authorization', auth.header)
    state.token = auth.token
  }

  const afterResponse: KyHook = async (...args: unknown[]) => {
    const call = readCall(args)
    const { request, response, options: kyOptions } = call
    // ky.retry beyond the retry limit would throw ForceRetryError: hand the caller the 401 instead.
    if (response?.status !== 401 || call.retryCount >= (kyOptions.retry?.limit ?? 0)) return
    const state = stateOf(call)
    const auth = await authorizer
      .onUnauthorized({
        url: response.url || request.url, // the responding URL, after any redirect
        wwwAuthenticate: response.headers.get('www-authenticate'),
        token: state.token,
        retried: state.retried,
        signal: request.signal,
      })
      .catch((error: unknown) => {
        throw request.signal.aborted ? request.signal.reason : error
      })
    // A stream body was consumed by the first send; the refresh above still helps later requests.
    if (auth === undefined || request.bodyUsed || !isReplayableBody(kyOptions.body)) return
    state.retried = true
    state.token = auth.token
    const headers = new Headers(request.headers)
    headers.set('Authorization', auth.header)
    return (await retryOf(call.major)).retry({ request: new Request(request, { headers }), delay: 0 })
  }

  return { hooks: { beforeRequest: [beforeRequest], afterResponse: [afterResponse] } }
}
