import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { appTokenInterceptor, type DispatchHandler, type DispatchOptions } from '../src/index.js'
import { scopes, useServers } from './fixtures.js'

// Random spellings of `origin` and `path` thrown at the real interceptor. Whenever it attaches the
// token, the origin undici connects to — `opts.origin`, parsed as undici's Agent does, whatever
// the path says — must be an allowed one, and the path must not name another origin either.

const s = useServers()

const API = 'http://127.0.0.1:4001' // allowed; nothing listens: the dispatch is only recorded
const GRAPH = 'https://api.contoso.com' // allowed
const allowed = new Set([API, GRAPH])

const hosts = [
  '127.0.0.1:4001',
  '127.0.0.1:4002',
  '127.0.0.2:4001',
  'localhost:4001',
  '[::1]:4001',
  'api.contoso.com',
  'api.contoso.com:443',
  'API.contoso.com.',
  'evil.example',
  'api.contoso.com.evil.example',
  '%31%32%37.0.0.1:4001',
  '0x7f.0.0.1:4001',
  '127.1:4001',
]
const part = (values: string[]) => fc.constantFrom(...values)
const spelledOrigin = fc
  .tuple(
    part(['http', 'https', 'HTTP', 'hTTps', 'ws', 'ftp', '']),
    part(['://', ':/', ':', ':\\\\', ':/\\', '//', ':///']),
    part(['', 'user@', 'user:pw@', 'api.contoso.com@', '127.0.0.1:4001@']),
    part(hosts),
    part(['', '/', '/x', '?q', '#h', '\t', ' ', '\\', '@evil.example']),
  )
  .map((p) => p.join(''))
const spelledPath = fc
  .tuple(
    part([
      '/',
      '//',
      '/\\',
      '\\',
      '\\/',
      '',
      'http://',
      'https://',
      'http:',
      'https:',
      '/\t/',
      '/%2F',
      '/./',
      '/../',
      '?',
      '#',
      ' /',
      '///',
    ]),
    part(['', ...hosts, 'user@127.0.0.1:4001', '@evil.example']),
    part(['', '/api', '/a\\b', '?x=//y', '#frag', '/\n', '/%0a', '/é', '/@evil.example', ':4001/x']),
  )
  .map((p) => p.join(''))
const chars = fc.string({
  unit: fc.constantFrom(...'/\\:@?#.%\t\n hHtTpPsS0127api'.split('')),
  maxLength: 24,
})
const origins = fc.oneof(
  fc.constantFrom(
    API,
    GRAPH,
    `${API}/`,
    'https://api.contoso.com:443',
    'HTTP://127.0.0.1:4001',
    'https://user@api.contoso.com',
  ),
  spelledOrigin,
  spelledOrigin.map((o) => URL.parse(o) ?? o),
  fc.constantFrom<string | undefined | null>(undefined, null, ''),
)
const paths = fc.oneof(
  fc.tuple(fc.constantFrom('/', '/api/'), chars).map((p) => p.join('')),
  spelledPath,
  chars,
)

/** What undici's Agent connects to for `origin` (lib/core/util.js parseOrigin), or undefined when it refuses. */
function connectedOrigin(origin: unknown): string | undefined {
  if (typeof origin !== 'string' && !(origin instanceof URL)) return undefined
  if (origin === '') return undefined
  const url = URL.parse(String(origin))
  if (url === null || !/^https?:$/.test(url.protocol)) return undefined
  if (url.pathname !== '/' || url.search || url.hash) return undefined
  return url.origin
}

/** Dispatches `opts` through the interceptor and resolves with what it hands on. */
function dispatched(
  dispatch: ReturnType<typeof interceptorFor>,
  opts: DispatchOptions,
): Promise<DispatchOptions> {
  return new Promise((resolve, reject) => {
    const handler: DispatchHandler = { onResponseError: (_c, error) => reject(error) }
    dispatch((next) => {
      resolve(next)
      return true
    })(opts, handler)
  })
}
const interceptorFor = () => {
  const interceptor = appTokenInterceptor(s.provider, { scopes, origins: [API, GRAPH] })
  return (next: (opts: DispatchOptions) => boolean) =>
    interceptor((o: DispatchOptions, _h: DispatchHandler) => next(o))
}
/** Whether undici's dispatch headers (a record, or a flat `[name, value, ...]` list) carry Authorization. */
const hasAuthorization = (headers: unknown) =>
  Array.isArray(headers)
    ? headers.some((h, i) => i % 2 === 0 && String(h).toLowerCase() === 'authorization')
    : Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'authorization')

describe('appTokenInterceptor property: the token only goes where undici connects, and only to allowed origins', () => {
  it('holds for random origin and path spellings', async () => {
    const dispatch = interceptorFor()
    let attached = 0
    await fc.assert(
      fc.asyncProperty(origins, paths, async (origin, path) => {
        const opts = { origin, path, method: 'GET', headers: { accept: '*/*' } } as DispatchOptions
        const sent = await dispatched(dispatch, opts)
        if (!hasAuthorization(sent.headers)) return
        attached++
        const connected = connectedOrigin(origin)
        if (connected === undefined) return // undici refuses this origin: nothing is sent
        expect(allowed.has(connected)).toBe(true)
        // The request-target names no other origin: undici would send it as it is.
        expect(new URL(path, connected).origin).toBe(connected)
      }),
      { numRuns: 1500 },
    )
    // The generators do reach allowed spellings: the property is not vacuous.
    expect(attached).toBeGreaterThan(10)
  })
})
