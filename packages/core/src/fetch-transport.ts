import {
  ConfigurationError,
  InvalidTokenResponseError,
  NetworkError,
  TimeoutError,
  isApptokenError,
} from './errors.js'
import type { HttpRequest, HttpResponse, HttpTransport, HttpTransportOptions } from './http.js'

/**
 * Set to `1` to turn the fetch fallback off, so the partial undici is used anyway. It exists for one
 * test: the runtime smoke suite shows with it that Bun fails without the fallback.
 */
export const DISABLE_FETCH_FALLBACK_ENV = 'APPTOKEN_DISABLE_FETCH_FALLBACK'

/**
 * Whether an `undici` module can carry token requests: its `Agent` must dispatch and close. Bun's
 * built-in `undici` exports the names with empty classes (no `dispatch`, no `close`).
 *
 * @example
 * ```ts
 * const useUndici = undiciWorks(await import('undici')) // false on Bun
 * ```
 */
export function undiciWorks(undici: { Agent?: unknown }): boolean {
  const agent = (undici.Agent as { prototype?: Record<string, unknown> } | undefined)?.prototype
  if (typeof agent?.dispatch === 'function' && typeof agent.close === 'function') return true
  return fallbackDisabled()
}

function fallbackDisabled(): boolean {
  try {
    return globalThis.process?.env?.[DISABLE_FETCH_FALLBACK_ENV] === '1'
  } catch {
    return false // Deno without --allow-env
  }
}

/**
 * A transport on the runtime's own `fetch`, for runtimes whose undici is missing or partial (Bun).
 * Keeps the timeout, the body limit and the no-redirect rule of the undici transport; proxies are
 * the runtime's (`HTTPS_PROXY` / `NO_PROXY` on Bun), and `direct` requests ask Bun for no proxy.
 * A `dispatcher` cannot be honoured here, so it is a {@link ConfigurationError} rather than ignored.
 *
 * @example
 * ```ts
 * const http = createFetchTransport({ timeoutMs: 10_000, maxBodyBytes: 1024 * 1024 })
 * const res = await http.request({ url: tokenEndpoint, method: 'POST', headers, body })
 * ```
 */
export function createFetchTransport(options: HttpTransportOptions): HttpTransport {
  return {
    async request(req) {
      if (options.dispatcher !== undefined)
        throw new ConfigurationError(
          'dispatcher',
          "this runtime's undici cannot send requests (Bun's built-in undici has no working Agent)",
          "remove it: token requests then use the runtime's fetch, which honours HTTPS_PROXY and NO_PROXY",
        )
      const timeout = AbortSignal.timeout(options.timeoutMs)
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout
      try {
        const init = {
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal,
          redirect: 'manual',
          // Bun's fetch option; other runtimes ignore it.
          ...(req.direct ? { proxy: false } : {}),
        }
        const res = await fetch(req.url, init as RequestInit)
        return await read(res, req, options.maxBodyBytes)
      } catch (error) {
        if (timeout.aborted && !req.signal?.aborted)
          throw new TimeoutError(options.timeoutMs, endpoint(req.url))
        if (req.signal?.aborted) throw error
        if (isApptokenError(error)) throw error
        const cause = (error as { cause?: { code?: string; message?: string } }).cause
        const code = (error as { code?: string }).code ?? cause?.code
        const detail = cause?.message
          ? `${(error as Error).message}: ${cause.message}`
          : (error as Error).message
        throw new NetworkError(`Could not reach ${endpoint(req.url)}${code ? ` (${code})` : ''}: ${detail}`, {
          cause: error,
        })
      }
    },
    close: () => Promise.resolve(),
  }
}

async function read(res: Response, req: HttpRequest, limit: number): Promise<HttpResponse> {
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => (headers[name] = value))
  const tooLarge = () =>
    new InvalidTokenResponseError(`The response from ${endpoint(req.url)} exceeded ${limit} bytes`)
  if (Number(res.headers.get('content-length')) > limit) {
    await res.body?.cancel()
    throw tooLarge()
  }
  let body = ''
  if (res.body) {
    const decoder = new TextDecoder()
    const reader = res.body.getReader()
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > limit) {
        await reader.cancel()
        throw tooLarge()
      }
      body += decoder.decode(value, { stream: true })
    }
    body += decoder.decode()
  }
  return { status: res.status, headers, body }
}

function endpoint(url: string): string {
  try {
    const u = new URL(url)
    return u.origin + u.pathname
  } catch {
    return 'the token endpoint'
  }
}
