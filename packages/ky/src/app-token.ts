import type { TokenProvider } from '@apptoken/core'
import * as core from '@apptoken/core/adapter'
import { baseUrlOf, readCall, type HookCall } from './hook-call.js'
import { importedKy } from './ky-retry.js'
import type { KyAppTokenHooks, KyAppTokenOptions, KyHook } from './options.js'

/**
 * ky hooks that set `Authorization: Bearer <app token>` on requests to the base URL each request
 * sees (or `origins`), and re-send a 401 from there once with a refreshed token (via `ky.retry`).
 * ky 2 and ky 1.14+, in either `create`/`extend` order.
 * @example `const api = ky.create({ prefix: 'https://api.contoso.com' }).extend(appToken(provider, { scopes }))`
 */
export function appToken(provider: TokenProvider, options: KyAppTokenOptions): KyAppTokenHooks {
  const { baseUrl = options?.prefixUrl, prefixUrl: _, ky, ...common } = options ?? {}
  const context = { baseUrl, baseUrlPerRequest: true, adapter: 'ky', baseUrlOption: 'baseUrl' }
  const auth = core.createRequestAuthorizer(provider, common, context)
  const kyOf = (major: 1 | 2) => (ky !== undefined ? Promise.resolve(ky) : importedKy(major))
  // Per call, keyed by ky's per-call `context` object: it survives ky's own retries and the 401 retry.
  const calls = new WeakMap<object, { sent?: core.Authorization; retried?: boolean }>()
  const stateOf = ({ options, request }: HookCall) => {
    const key = options.context ?? request
    return calls.get(key) ?? calls.set(key, {}).get(key)!
  }
  const rethrow = (signal: AbortSignal) => (e: unknown) => {
    throw core.abortReason(signal, e) // as if fetch itself were aborted
  }

  const beforeRequest: KyHook = async (...args: unknown[]) => {
    const call = readCall(args)
    const { request, options } = call
    const state = stateOf(call)
    if (state.retried) return // ky 1 runs this hook again for the 401 retry: keep its header
    const sent = await auth
      .authorize(request.url, request.signal, baseUrlOf(options), request.method)
      .catch(rethrow(request.signal))
    if (sent === undefined) return
    await kyOf(call.major) // a mismatched ky fails on the first request, not on the first 401
    core.setAuthorization(request.headers, sent.header)
    if (sent.headers !== undefined)
      for (const [k, v] of Object.entries(sent.headers)) request.headers.set(k, v)
    state.sent = sent
  }

  const afterResponse: KyHook = async (...args: unknown[]) => {
    const call = readCall(args)
    const { request, options } = call
    const response = call.response! // ky calls afterResponse with one
    const state = stateOf(call)
    // ky re-sends through its own retries: none left, or a consumed body, means no re-send.
    const resendable = call.retryCount < (options.retry?.limit ?? 0) && !request.bodyUsed
    const facts = {
      url: response.url || undefined,
      status: response.status,
      wwwAuthenticate: response.headers.get('www-authenticate'),
      sent: state.sent,
      replayable: resendable && core.isReplayableBody(options.body),
      retried: state.retried === true,
      signal: request.signal,
      method: request.method,
      dpopNonce: response.headers.get('dpop-nonce'),
    }
    const retry = await auth.onResponse(facts, baseUrlOf(options))?.catch(rethrow(request.signal))
    if (retry === undefined) return
    Object.assign(state, { sent: retry, retried: true })
    const headers = core.setAuthorization(new Headers(request.headers), retry.header)
    if (retry.headers !== undefined) for (const [k, v] of Object.entries(retry.headers)) headers.set(k, v)
    return (await kyOf(call.major)).retry({ request: new Request(request, { headers }), delay: 0 })
  }

  return { hooks: { beforeRequest: [beforeRequest], afterResponse: [afterResponse] } }
}
