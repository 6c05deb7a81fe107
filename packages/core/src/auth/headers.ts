/**
 * Header plumbing every adapter needs, in one place: set `Authorization` whatever shape the
 * client keeps headers in, and report an abort the way the client's own abort would.
 */

/**
 * One header's value as clients keep it.
 *
 * @example
 * ```ts
 * const value: HeaderValue = ['a', 'b'] // a repeated header
 * ```
 */
export type HeaderValue = string | number | readonly string[] | null | undefined
/**
 * Headers as clients keep them: a `Headers`, a plain record, or a list of pairs.
 *
 * @example
 * ```ts
 * const headers: HeadersLike = { accept: 'application/json' }
 * ```
 */
export type HeadersLike = Headers | Record<string, HeaderValue> | readonly (readonly [string, string])[]

/**
 * `headers` with `authorization` set to `value` (or removed when `value` is undefined), replacing
 * every other spelling of the name, and the `extra` headers of an Authorization set beside it (a
 * DPoP proof: `sent.headers`). A `Headers` is changed in place and returned; a record or a list of
 * pairs is copied.
 *
 * @example
 * ```ts
 * const init: { headers: Record<string, string> } = { headers: { 'content-type': 'application/json', authorization: 'Basic x' } }
 * const next = setAuthorization(init.headers, 'Bearer eyJ...') // { 'content-type': ..., Authorization: 'Bearer eyJ...' }
 * ```
 */
export function setAuthorization<H extends HeadersLike | undefined>(
  headers: H,
  value: string | undefined,
  extra?: Readonly<Record<string, string>>,
): H extends Headers ? Headers : Record<string, HeaderValue> {
  type Out = H extends Headers ? Headers : Record<string, HeaderValue>
  if (headers instanceof Headers) {
    if (value === undefined) headers.delete('authorization')
    else headers.set('authorization', value)
    if (extra !== undefined) for (const name in extra) headers.set(name, extra[name]!)
    return headers as unknown as Out
  }
  const out: Record<string, HeaderValue> = {}
  const pairs: Iterable<readonly [string, HeaderValue]> = Array.isArray(headers)
    ? (headers as readonly (readonly [string, string])[])
    : Object.entries((headers ?? {}) as Record<string, HeaderValue>)
  for (const [name, v] of pairs) if (name.toLowerCase() !== 'authorization') out[name] = v
  if (value !== undefined) out.Authorization = value
  if (extra !== undefined) Object.assign(out, extra)
  return out as Out
}

/**
 * The error to report when waiting for a token failed: the caller's abort reason when its signal
 * aborted (as the client itself would), else the error.
 *
 * @example
 * ```ts
 * const sent = await auth.authorize(url, signal).catch((e: unknown) => { throw abortReason(signal, e) })
 * ```
 */
export function abortReason(signal: AbortSignal | null | undefined, error: unknown): unknown {
  return signal?.aborted ? signal.reason : error
}
