import { AzureCloud, graphOriginsFor } from '@apptoken/core'
import { useTestApis } from '@apptoken/testing'
import {
  CustomFetchHandler,
  KiotaClientFactory,
  RedirectHandler as KiotaRedirectHandler,
} from '@microsoft/kiota-http-fetchlibrary'
import { RedirectHandler, RedirectHandlerOptions, type Context } from '@microsoft/microsoft-graph-client'
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createGraphClient } from '../src/index.js'
import { AppTokenAccessTokenProvider, appTokenRetryMiddleware } from '../src/kiota.js'
import { providerFor } from './fixture.js'

// An allowed origin answers 302 with a random `Location` spelling; the real SDK redirect handlers
// follow it. The last handler stands in for the network: it builds the `Request` that `fetch`
// would build from what it is given and records its URL and Authorization. Whenever the token
// is on it, that URL's origin must be allowed.

const API = 'http://127.0.0.1:4001' // the base URL: allowed; nothing listens
const PROXY = 'api.contoso.com' // a custom host: https://api.contoso.com allowed
const allowed = new Set([API, `https://${PROXY}`, ...graphOriginsFor(AzureCloud.Public)])

const hosts = [
  '127.0.0.1:4001',
  '127.0.0.1:4002',
  'localhost:4001',
  '[::1]:4001',
  PROXY,
  `${PROXY}:443`,
  `${PROXY}:8443`,
  'graph.microsoft.com',
  'evil.example',
  `${PROXY}.evil.example`,
  '%31%32%37.0.0.1:4001',
]
const part = (values: string[]) => fc.constantFrom(...values)
const chars = fc.string({ unit: fc.constantFrom(...'/\\:@?#.%\t hHtTpPsS0127api'.split('')), maxLength: 24 })
const locations = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(API, `https://${PROXY}`, 'https://graph.microsoft.com', 'HTTPS://API.contoso.com:443'),
      chars,
    )
    .map((p) => p.join('')),
  fc
    .tuple(
      part(['', 'http', 'https', 'HTTP', 'hTTps', 'ftp', 'javascript']),
      part(['', '://', ':/', ':', ':\\\\', ':/\\', '//', '/\\', '\\\\', '/', ':///']),
      part(['', 'user@', `${PROXY}@`, '127.0.0.1:4001@']),
      part(['', ...hosts]),
      part([
        '',
        '/',
        '/public/ping',
        '?q=1',
        '#h',
        '\\evil.example',
        '@evil.example',
        '/\t/evil.example',
        '%2F%2Fevil.example',
      ]),
    )
    .map((p) => p.join('')),
  chars,
)

interface Seen {
  authorization: string | null
  url: string
}
/** What fetch would send for (input, init), or undefined when fetch would refuse it. */
function wouldSend(input: string | Request, init: RequestInit | undefined): Seen | undefined {
  try {
    const request = new Request(input, init)
    return { authorization: request.headers.get('authorization'), url: request.url }
  } catch {
    return undefined
  }
}
const redirectTo = (location: string): Response | undefined => {
  try {
    return new Response(null, { status: 302, headers: { location } })
  } catch {
    return undefined // not a valid header value: no server can send it
  }
}

// The last handler stands in for the network: only the authority is used.
const s = useTestApis({ beforeAll, afterAll, beforeEach, afterEach }, { createProvider: providerFor })

describe('property: across a redirect the token only reaches allowed origins', () => {
  it('createGraphClient (Graph SDK v3 RedirectHandler)', async () => {
    let carried = 0
    await fc.assert(
      fc.asyncProperty(locations, async (location) => {
        const redirect = redirectTo(location)
        fc.pre(redirect !== undefined)
        let hop = 0
        let seen: Seen | undefined
        const network = {
          execute: async (context: Context) => {
            hop++
            if (hop > 1) seen = wouldSend(context.request, context.options)
            context.response = hop === 1 ? redirect : Response.json({})
          },
        }
        const client = createGraphClient(s.provider, {
          baseUrl: API,
          customHosts: [PROXY],
          middleware: [new RedirectHandler(new RedirectHandlerOptions()), network],
        })
        await client
          .api(`${API}/v1.0/users`)
          .get()
          .catch(() => undefined)
        if (seen?.authorization == null) return
        carried++
        expect(allowed.has(new URL(seen.url).origin)).toBe(true)
      }),
      { numRuns: 600 },
    )
    expect(carried).toBeGreaterThan(5) // same-origin redirects keep the token: not vacuous
  })

  it('Kiota (RedirectHandler) with appTokenRetryMiddleware', async () => {
    const tokens = new AppTokenAccessTokenProvider(s.provider, { baseUrl: API, customHosts: [PROXY] })
    const token = await tokens.getAuthorizationToken(`${API}/v1.0/users`)
    let carried = 0
    await fc.assert(
      fc.asyncProperty(locations, async (location) => {
        const redirect = redirectTo(location)
        fc.pre(redirect !== undefined)
        let hop = 0
        let seen: Seen | undefined
        const network = async (url: string, init: RequestInit) => {
          hop++
          if (hop > 1) seen = wouldSend(url, init)
          return hop === 1 ? redirect : Response.json({})
        }
        const http = KiotaClientFactory.create(network, [
          appTokenRetryMiddleware(s.provider, { baseUrl: API, customHosts: [PROXY] }),
          new KiotaRedirectHandler(),
          new CustomFetchHandler(network),
        ])
        const init: RequestInit = { method: 'GET', headers: { authorization: `Bearer ${token}` } }
        await http.executeFetch(`${API}/v1.0/users`, init).catch(() => undefined)
        if (seen?.authorization == null) return
        carried++
        expect(allowed.has(new URL(seen.url).origin)).toBe(true)
      }),
      { numRuns: 600 },
    )
    expect(carried).toBeGreaterThan(5)
  })
})
