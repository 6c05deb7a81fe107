import type * as UndiciModule from 'undici'
import type { Dispatcher } from 'undici'
import type { Clock } from './types.js'
import { InvalidTokenResponseError, NetworkError, TimeoutError, isApptokenError } from './errors.js'
import { createFetchTransport, undiciWorks } from './fetch-transport.js'
import type { ClientTls } from './credentials/tls-client-auth.js'

/**
 * A buffered HTTP answer.
 *
 * @example
 * ```ts
 * const res = await ctx.http.request({ url: discoveryUrl, method: 'GET', headers: { accept: 'application/json' } })
 * const config: unknown = res.status === 200 ? JSON.parse(res.body) : undefined
 * ```
 */
export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * One HTTP request as the token client makes it.
 *
 * @example
 * ```ts
 * const req: HttpRequest = {
 *   url: 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net',
 *   method: 'GET', headers: { metadata: 'true' }, signal: ctx.signal, direct: true, // IMDS: never through a proxy
 * }
 * ```
 */
export interface HttpRequest {
  url: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  signal?: AbortSignal
  /** Never through a proxy (IMDS on a link-local address, loopback endpoints). */
  direct?: boolean
}

/**
 * Sends requests for the provider and credentials (token endpoint, discovery, managed identity).
 *
 * @example
 * ```ts
 * // a stub for unit-testing a custom credential (real ones get ctx.http)
 * const http: HttpTransport = { request: async () => ({ status: 200, headers: {}, body: '{}' }), close: async () => {} }
 * ```
 */
export interface HttpTransport {
  request(req: HttpRequest): Promise<HttpResponse>
  close(): Promise<void>
}

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** An undici `Dispatcher` (Agent, ProxyAgent, MockAgent...). Default: an `EnvHttpProxyAgent`. */
  dispatcher?: Dispatcher | undefined
  timeoutMs: number
  maxBodyBytes: number
  /** Its `timer`, when it has one, runs the per-request timeout (tests fire it without waiting). */
  clock?: Clock | undefined
  /** A client certificate every connection presents (mutual TLS, RFC 8705); not through a proxy. */
  tls?: ClientTls | undefined
}

/** A real timer that does not keep the process alive (Deno's timers are plain numbers: no unref). */
const unrefTimer = (ms: number, callback: () => void): (() => void) => {
  const t = setTimeout(callback, ms)
  ;(t as { unref?: () => void }).unref?.()
  return () => clearTimeout(t)
}

type Undici = typeof UndiciModule
let undiciModule: Promise<Undici | undefined> | undefined
// undici is loaded on the first request, not at import: a cached token never needs it.
// Where it is missing or cannot dispatch (Bun's built-in undici), requests go through fetch.
const loadUndici = (): Promise<Undici | undefined> =>
  (undiciModule ??= import('undici').then(
    (u) => (undiciWorks(u) ? u : undefined),
    () => undefined,
  ))

/**
 * An undici-backed transport with a keep-alive agent that honours HTTPS_PROXY / NO_PROXY; on a
 * runtime without a working undici, the runtime's fetch (see fetch-transport.ts).
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const owned: { close(): Promise<void> }[] = []
  let proxied: Dispatcher | undefined
  let direct: Dispatcher | undefined
  let fallback: HttpTransport | undefined
  const own = <T extends { close(): Promise<void> }>(agent: T): T => (owned.push(agent), agent)
  const getDispatcher = (req: HttpRequest, u: Undici): Dispatcher => {
    if (options.dispatcher) return options.dispatcher
    if (options.tls) return (direct ??= own(new u.Agent({ keepAliveTimeout: 30_000, connect: options.tls })))
    if (req.direct) return (direct ??= own(new u.Agent({ keepAliveTimeout: 30_000 })))
    return (proxied ??= own(new u.EnvHttpProxyAgent({ keepAliveTimeout: 30_000 })))
  }

  const timer = options.clock?.timer?.bind(options.clock) ?? unrefTimer
  return {
    async request(req) {
      const undici = await loadUndici()
      if (undici === undefined) return (fallback ??= createFetchTransport(options)).request(req)
      const { request } = undici
      // One controller per request, unlinked when it ends: no timer or listener outlives it.
      const controller = new AbortController()
      let timedOut = false
      const cancelTimer = timer(options.timeoutMs, () => {
        timedOut = true
        controller.abort(new TimeoutError(options.timeoutMs, origin(req.url)))
      })
      const outer = req.signal
      const onAbort = () => controller.abort(outer?.reason)
      if (outer?.aborted) onAbort()
      else outer?.addEventListener('abort', onAbort, { once: true })
      try {
        const res = await request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body ?? null,
          signal: controller.signal,
          dispatcher: getDispatcher(req, undici),
        })
        const chunks: Buffer[] = []
        let size = 0
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          size += chunk.length
          if (size > options.maxBodyBytes) {
            res.body.destroy()
            throw new InvalidTokenResponseError(
              `The response from ${origin(req.url)} exceeded ${options.maxBodyBytes} bytes`,
            )
          }
          chunks.push(chunk)
        }
        return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }
      } catch (error) {
        if (timedOut && !outer?.aborted) throw new TimeoutError(options.timeoutMs, origin(req.url))
        if (outer?.aborted) throw error
        if (isApptokenError(error)) throw error
        const code = (error as { code?: string }).code
        throw new NetworkError(
          `Could not reach ${origin(req.url)}${code ? ` (${code})` : ''}: ${(error as Error).message}`,
          { cause: error },
        )
      } finally {
        cancelTimer()
        outer?.removeEventListener('abort', onAbort)
      }
    },
    async close() {
      const agents = owned.splice(0)
      proxied = direct = undefined
      await Promise.all(agents.map((a) => a.close()))
    },
  }
}

function origin(url: string): string {
  try {
    const u = new URL(url)
    return u.origin + u.pathname
  } catch {
    return 'the token endpoint'
  }
}
