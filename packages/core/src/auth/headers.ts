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
 * Headers as clients keep them: a `Headers`, a plain record, a list of pairs, another iterable of
 * pairs, or undici's flat `[name, value, name, value, ...]` list.
 *
 * @example
 * ```ts
 * const headers: HeadersLike = { accept: 'application/json' }
 * ```
 */
export type HeadersLike =
  | Headers
  | Record<string, HeaderValue>
  | Iterable<readonly [string, HeaderValue]>
  | readonly (string | readonly string[])[]

type Out = Record<string, HeaderValue>

/** Copies one header unless it is unset or one that {@link setAuthorization} sets. */
function copy(out: Out, name: unknown, value: HeaderValue, extra: Readonly<Out> | undefined): void {
  if (value === undefined || value === null) return
  const key = String(name)
  const lower = key.toLowerCase()
  if (lower === 'authorization') return
  if (extra !== undefined) for (const set in extra) if (set.toLowerCase() === lower) return
  out[key] = value
}

/** Copies every header of a form other than `Headers` into `out`. */
function copyAll(out: Out, headers: unknown, extra: Readonly<Out> | undefined): void {
  if (headers === undefined || headers === null) return
  if (Array.isArray(headers) && headers.length > 0 && !Array.isArray(headers[0])) {
    // undici's flat list: name, value, name, value...
    for (let i = 0; i < headers.length; i += 2) copy(out, headers[i], headers[i + 1] as HeaderValue, extra)
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of headers as Iterable<readonly [string, HeaderValue]>)
      copy(out, name, value, extra)
  } else {
    // A plain record (the usual form) is read without building pairs.
    const record = headers as Out
    for (const name of Object.keys(record)) copy(out, name, record[name], extra)
  }
}

/**
 * `headers` with `authorization` set to `value` (or removed when `value` is undefined), replacing
 * every other spelling of the name, and the `extra` headers of an Authorization set beside it (a
 * DPoP proof: `sent.headers`), replacing other spellings of theirs too. A `Headers` is changed in
 * place and returned; any other form is copied into a plain record, without unset (`undefined`
 * or `null`) headers.
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
  type Result = H extends Headers ? Headers : Out
  if (headers instanceof Headers) {
    if (value === undefined) headers.delete('authorization')
    else headers.set('authorization', value)
    if (extra !== undefined) for (const name in extra) headers.set(name, extra[name]!)
    return headers as unknown as Result
  }
  const out: Out = {}
  copyAll(out, headers, extra)
  if (value !== undefined) out.Authorization = value
  if (extra !== undefined) Object.assign(out, extra)
  return out as Result
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
