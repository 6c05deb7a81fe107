import { ConfigurationError, type AppTokenOptions, type TokenProvider } from '@apptoken/core'
import {
  abortReason,
  createRequestAuthorizer,
  isReplayableBody,
  setAuthorization,
} from '@apptoken/core/adapter'
import type { Authorization } from '@apptoken/core/adapter'

/** The parts of a `Request` that apptoken reads (global fetch's and undici's alike). */
interface RequestLike {
  readonly url: string
  readonly method?: string
  readonly headers: Iterable<[string, string]>
  readonly body: { cancel(): Promise<void> } | null
  readonly bodyUsed: boolean
  readonly signal: AbortSignal
  clone(): RequestLike
}

/**
 * What `withAppToken` needs of a fetch response.
 *
 * @example
 * ```ts
 * const res: ResponseLike = await fetch('https://api.contoso.com/todolist') // a fetch Response fits
 * if (res.status === 401) console.warn(res.headers.get('www-authenticate'))
 * ```
 */
export interface ResponseLike {
  readonly status: number
  readonly url: string
  readonly headers: { get(name: string): string | null }
  readonly body: { cancel(): Promise<void> } | null
}

type Init = { headers?: unknown; body?: unknown; signal?: AbortSignal | null } & Record<string, unknown>
/**
 * Any fetch-shaped function: the global one, undici's, or a wrapper.
 *
 * @example
 * ```ts
 * import { fetch as undiciFetch } from 'undici'
 * const inner: AnyFetch = undiciFetch // or the global fetch, or a wrapper of the same shape
 * const apiFetch = withAppToken(undiciFetch, provider, { scopes, origins: ['https://api.contoso.com'] })
 * ```
 */
export type AnyFetch = (input: never, init?: never) => Promise<ResponseLike>

const isRequest = (input: unknown): input is RequestLike =>
  typeof input === 'object' &&
  input !== null &&
  !(input instanceof URL) &&
  typeof (input as RequestLike).url === 'string'

/**
 * Wraps a `fetch` (Node's global one, undici's, or any WHATWG-compatible one) so requests to the
 * allowed `origins` carry an app token and a 401 from them is retried once with a refreshed
 * token. Same signature as the `fetch` given. Redirects are left to `fetch`, which drops
 * `Authorization` on a cross-origin redirect (Fetch standard; Node 18+ and undici 6+).
 *
 * @example
 * ```ts
 * const apiFetch = withAppToken(fetch, provider, { scopes: 'api://my-api/.default', origins: ['https://api.contoso.com'] })
 * const res = await apiFetch('https://api.contoso.com/todolist')
 * ```
 */
export function withAppToken<F extends AnyFetch>(
  fetch: F,
  provider: TokenProvider,
  options: AppTokenOptions,
): F {
  if (typeof fetch !== 'function') {
    throw new ConfigurationError(
      'fetch',
      'it is not a function',
      'pass the fetch to wrap, e.g. withAppToken(fetch, provider, { scopes, origins })',
    )
  }
  const authorizer = createRequestAuthorizer(provider, options, { adapter: 'withAppToken(fetch)' })
  const send = fetch as unknown as (input: unknown, init: Init) => Promise<ResponseLike>

  /** One call's parts, read once. */
  interface Call {
    input: string | URL | RequestLike
    init: Init | undefined
    request: RequestLike | undefined
    url: string
    signal: AbortSignal | null | undefined
    method: string
  }
  const orAbort =
    (signal: AbortSignal | null | undefined) =>
    (error: unknown): never => {
      throw abortReason(signal, error) // a fetch abort rejects with the signal's reason
    }
  // As in `new Request(input, init)`: init's headers replace the Request's.
  const headersFor = ({ init, request }: Call, { header, headers: extra }: Authorization): HeadersInit => {
    const given = init?.headers ?? request?.headers
    if (given === undefined && extra === undefined) return { authorization: header }
    return setAuthorization(new Headers(given as HeadersInit | undefined), header, extra)
  }

  /** Sends with `sent`; a 401 goes to core, which may have it sent once more. */
  const exchange = (call: Call, sent: Authorization): Promise<ResponseLike> => {
    const { input, init, request } = call
    // What to send again on a 401: init's body if it replays; a Request's body through a clone.
    const initBody = init?.body !== undefined && init.body !== null
    const copy = !initBody && request?.body && !request.bodyUsed ? request.clone() : undefined
    const replayable = initBody ? isReplayableBody(init.body) : !request?.body || copy !== undefined
    return send(input, { ...init, headers: headersFor(call, sent) }).then((response) => {
      if (authorizer.handles(response.status)) return unauthorized(call, sent, response, copy, replayable)
      void copy?.body?.cancel() // no retry will need it
      return response
    })
  }

  const unauthorized = async (
    call: Call,
    sent: Authorization,
    response: ResponseLike,
    copy: RequestLike | undefined,
    replayable: boolean,
  ): Promise<ResponseLike> => {
    const { signal, method } = call
    const next = await authorizer
      .onResponse({
        url: response.url || undefined, // fetch reports the URL that answered, after redirects
        status: response.status,
        wwwAuthenticate: response.headers.get('www-authenticate'),
        sent,
        replayable,
        retried: false,
        signal: signal ?? undefined,
        method,
        dpopNonce: response.headers.get('dpop-nonce'),
      })
      ?.catch((error: unknown) => {
        void copy?.body?.cancel()
        void response.body?.cancel()
        return orAbort(signal)(error)
      })
    if (next === undefined) {
      void copy?.body?.cancel() // the retry will not need it
      return response
    }
    await response.body?.cancel() // frees the connection
    return send(copy ?? call.input, { ...call.init, headers: headersFor(call, next) })
  }

  const waitThenSend = async (call: Call): Promise<ResponseLike> => {
    const { url, signal, method } = call
    const sent = await authorizer
      .authorize(url, signal ?? undefined, undefined, method)
      .catch(orAbort(signal))
    return sent === undefined ? send(call.input, call.init ?? {}) : exchange(call, sent)
  }

  const wrapped = (input: string | URL | RequestLike, init?: Init): Promise<ResponseLike> => {
    try {
      const request = isRequest(input) ? input : undefined
      const call: Call = {
        input,
        init,
        request,
        url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
        signal: init?.signal ?? request?.signal,
        method: (typeof init?.method === 'string' ? init.method : undefined) ?? request?.method ?? 'GET',
      }
      // A cached token goes out without a wait, as a static header would; else the wait comes first.
      const ready = authorizer.authorizeNow(call.url, call.signal, undefined, call.method)
      return ready !== undefined ? exchange(call, ready) : waitThenSend(call)
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what was thrown, as an async fetch would reject
      return Promise.reject(error)
    }
  }
  return wrapped as unknown as F
}
