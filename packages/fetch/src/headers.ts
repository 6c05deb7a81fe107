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
  for (const [name, v] of headerPairs(headers)) {
    const key = String(name)
    const lower = key.toLowerCase()
    if (v === undefined || v === null || lower === 'authorization' || (extra !== undefined && lower in extra))
      continue
    out.push(key, Array.isArray(v) ? v.map(String) : String(v))
  }
  out.push('authorization', value)
  if (extra !== undefined) for (const [k, v] of Object.entries(extra)) out.push(k, v)
  return out
}
