type Value = string | number | readonly (string | number)[] | null | undefined
type Pair = readonly [unknown, Value]

/** The header pairs of any form undici accepts: object, flat `[k, v, ...]` list, or iterable of pairs. */
function headerPairs(headers: unknown): Iterable<Pair> {
  if (headers === null || headers === undefined) return []
  if (Array.isArray(headers)) {
    if (headers.length === 0 || Array.isArray(headers[0])) return headers as Pair[]
    const pairs: Pair[] = []
    for (let i = 0; i < headers.length; i += 2) pairs.push([headers[i], headers[i + 1] as Value])
    return pairs
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') return headers as Iterable<Pair>
  return Object.entries(headers as Record<string, Value>)
}

const isPlainRecord = (headers: unknown): headers is Record<string, Value> =>
  typeof headers === 'object' && headers !== null && Object.getPrototypeOf(headers) === Object.prototype

/** Appends one header unless it is unset or one that `withAuthorization` sets. */
function add(
  out: (string | string[])[],
  name: unknown,
  v: Value,
  extra: Record<string, string> | undefined,
): void {
  const key = String(name)
  const lower = key.toLowerCase()
  if (v === undefined || v === null || lower === 'authorization' || (extra !== undefined && lower in extra))
    return
  out.push(key, Array.isArray(v) ? v.map(String) : String(v))
}

/**
 * undici dispatch headers with `authorization` set to `value` (and the `extra` headers core gave,
 * a DPoP proof), replacing any other spelling of those names, as a flat `[name, value, ...]` list.
 */
export function withAuthorization(
  headers: unknown,
  value: string,
  extra?: Record<string, string>,
): (string | string[])[] {
  const out: (string | string[])[] = []
  // A plain object (the usual form) is read without building pairs.
  if (isPlainRecord(headers)) for (const key of Object.keys(headers)) add(out, key, headers[key], extra)
  else for (const [name, v] of headerPairs(headers)) add(out, name, v, extra)
  out.push('authorization', value)
  if (extra !== undefined) for (const [k, v] of Object.entries(extra)) out.push(k, v)
  return out
}
