import type { TokenProvider } from '@apptoken/core'
import * as core from '@apptoken/core/adapter'
import { baseUrlOf, readCall, responseOf, type HookCall } from './hook-call.js'
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
  // The ky whose `retry` is used, checked on the first request (a mismatch fails then, not on the first 401).
  let kyChecked = ky !== undefined
  const kyOf = (major: 1 | 2) => (ky !== undefined ? Promise.resolve(ky) : importedKy(major))
  // The token a request carried is read back from its own header: nothing is kept per request.
  const issued = core.issuedAuthorizations()
  // Calls re-sent after a 401, keyed by ky's per-call `context`, which survives ky's own retries.
  const retried = new WeakSet<object>()
  const keyOf = ({ options, request }: HookCall) => options.context ?? request
  const rethrow = (signal: AbortSignal) => (e: unknown) => {
    throw core.abortReason(signal, e) // as if fetch itself were aborted
  }
  const attach = (request: Request, sent: core.Authorization) => {
    core.setAuthorization(request.headers, issued.remember(sent).header, sent.headers)
  }

  const waitThenAttach = async (call: HookCall & { major: 1 | 2 }) => {
    const { request, options } = call
    const sent = await auth
      .authorize(request.url, request.signal, baseUrlOf(options), request.method)
      .catch(rethrow(request.signal))
    if (sent === undefined) return
    await kyOf(call.major)
    kyChecked = true
    attach(request, sent)
  }

  // A cached token is set without a promise, as a static header would be.
  const beforeRequest: KyHook = (...args: unknown[]) => {
    const call = readCall(args)
    const { request, options } = call
    if (retried.has(keyOf(call))) return // ky 1 runs this hook again for the 401 retry: keep its header
    const now = kyChecked
      ? auth.authorizeNow(request.url, request.signal, baseUrlOf(options), request.method)
      : undefined
    if (now === undefined) return waitThenAttach(call)
    attach(request, now)
  }

  const onUnauthorized = async (call: HookCall & { major: 1 | 2 }, response: Response) => {
    const { request, options } = call
    const key = keyOf(call)
    // ky re-sends through its own retries: none left, or a consumed body, means no re-send.
    const resendable = call.retryCount < (options.retry?.limit ?? 0) && !request.bodyUsed
    const facts = {
      url: response.url || undefined,
      status: response.status,
      wwwAuthenticate: response.headers.get('www-authenticate'),
      sent: issued.sentWith(request.headers.get('authorization')),
      replayable: resendable && core.isReplayableBody(options.body),
      retried: retried.has(key),
      signal: request.signal,
      method: request.method,
      dpopNonce: response.headers.get('dpop-nonce'),
    }
    const retry = await auth.onResponse(facts, baseUrlOf(options))?.catch(rethrow(request.signal))
    if (retry === undefined) return
    retried.add(key)
    const headers = core.setAuthorization(
      new Headers(request.headers),
      issued.remember(retry).header,
      retry.headers,
    )
    return (await kyOf(call.major)).retry({ request: new Request(request, { headers }), delay: 0 })
  }

  // Every answer but a 401 goes on untouched, with no work here.
  const afterResponse: KyHook = (...args: unknown[]) => {
    const response = responseOf(args)
    if (response !== undefined && auth.handles(response.status))
      return onUnauthorized(readCall(args), response)
  }

  return { hooks: { beforeRequest: [beforeRequest], afterResponse: [afterResponse] } }
}
