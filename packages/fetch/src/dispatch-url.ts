import type { DispatchOptions } from './dispatch-types.js'

// RFC 9112 §3.2.1 origin-form: '/' then visible ASCII; no '//' (it would read as an authority),
// no backslash (URL parsers read it as '/'), no whitespace or controls (parsers strip them).
const ORIGIN_FORM = /^\/(?!\/)[\x21-\x5b\x5d-\x7e]*$/

/**
 * The URL undici really requests for one dispatch: the origin it connects to (`opts.origin`)
 * followed by the path, or `undefined` when that cannot be told for sure, so no token goes: no
 * origin (a `Client` or `Pool` sends to its own), an origin with a path, or a path that is not
 * plain origin-form (`//host`, `/\host`, an absolute URL, odd characters). Never
 * `new URL(path, origin)`: an absolute or scheme-relative path would replace the origin there,
 * while undici still connects to `opts.origin`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2.1
 * @example
 * ```ts
 * dispatchUrl({ origin: 'https://api.contoso.com', path: '/todolist?top=10', method: 'GET' }) // 'https://api.contoso.com/todolist?top=10'
 * dispatchUrl({ origin: 'https://evil.example', path: '//api.contoso.com/x', method: 'GET' }) // undefined
 * ```
 */
export function dispatchUrl(options: DispatchOptions): string | undefined {
  const { origin, path } = options
  if (typeof path !== 'string' || !ORIGIN_FORM.test(path)) return undefined
  if (typeof origin !== 'string' && !(origin instanceof URL)) return undefined
  const serialized = originOf(String(origin))
  return serialized === null ? undefined : `${serialized}${path}`
}

/** Origins seen are few (one per API); parsed once each, bounded anyway. */
const parsedOrigins = new Map<string, string | null>()

let lastOrigin: string | undefined
let lastSerialized: string | null = null

/** The origin undici connects to for `origin`, or `null` when it is not a plain http(s) origin. */
function originOf(origin: string): string | null {
  // The same origin as the last dispatch (one API per client): a string compare, not a Map hash.
  if (origin === lastOrigin) return lastSerialized
  let serialized = parsedOrigins.get(origin)
  if (serialized === undefined) {
    // undici's Agent parses the origin with the WHATWG parser too and connects to its host and port.
    const parsed = URL.parse(origin)
    serialized =
      parsed === null ||
      parsed.pathname !== '/' ||
      parsed.search !== '' ||
      parsed.hash !== '' ||
      (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
        ? null
        : parsed.origin
    if (parsedOrigins.size >= 64) parsedOrigins.clear()
    parsedOrigins.set(origin, serialized)
  }
  lastOrigin = origin
  return (lastSerialized = serialized)
}
