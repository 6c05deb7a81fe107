import { useTestApis } from '@apptoken/testing'
import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios'
import axios18 from 'axios18'
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { attachAppToken } from '../src/index.js'
import { SCOPE, providerFor } from './support.js'

// Random baseURL / url / params spellings through a real axios instance with the adapter
// attached. A custom axios adapter (axios' own extension point) stands in for the network: it
// records the Authorization axios would send and the URL axios would connect to — the http
// adapter's `new URL(buildFullPath(baseURL, url, allowAbsoluteUrls))`, here through axios' own
// `getUri`. Whenever the token is attached, that URL's origin must be allowed.

const API = 'http://127.0.0.1:4001' // allowed; nothing listens
const GRAPH = 'https://api.contoso.com' // allowed
const allowed = new Set([API, GRAPH])

const hosts = [
  '127.0.0.1:4001',
  '127.0.0.1:4002',
  'localhost:4001',
  '[::1]:4001',
  'api.contoso.com',
  'api.contoso.com:443',
  'evil.example',
  'api.contoso.com.evil.example',
  '%31%32%37.0.0.1:4001',
]
const part = (values: string[]) => fc.constantFrom(...values)
const chars = fc.string({ unit: fc.constantFrom(...'/\\:@?#.%\t hHtTpPsS0127api'.split('')), maxLength: 20 })
const spelledUrl = fc
  .tuple(
    part(['', 'http', 'https', 'HTTP', 'ftp', ' http', '\thttps']),
    part(['', '://', ':/', ':', ':\\\\', '//', '/\\', '\\\\', '/']),
    part(['', 'user@', 'api.contoso.com@', '127.0.0.1:4001@']),
    part(['', ...hosts]),
    part(['', '/', '/api', '?q=1', '#h', '\\evil.example', '@evil.example', '/\t/evil.example']),
  )
  .map((p) => p.join(''))
const urls = fc.oneof(spelledUrl, chars, fc.constant(undefined))
const bases = fc.constantFrom(
  undefined,
  API,
  `${API}/`,
  `${API}/v1/`,
  GRAPH,
  `${GRAPH}//`,
  'http://evil.example',
  `${API}@evil.example`,
)
const params = fc.option(fc.dictionary(chars, chars, { maxKeys: 2 }), { nil: undefined })

interface Seen {
  authorization: unknown
  uri: string
}

const versions: [string, (config: object) => AxiosInstance][] = [
  ['axios 1.21', (config) => axios.create(config)],
  ['axios 1.8', (config) => axios18.create(config) as unknown as AxiosInstance],
]

describe.each(versions)(
  'attachAppToken property with %s: the token only goes to allowed origins',
  (_name, create) => {
    // The instances' adapter stands in for the network: only the authority is used.
    const s = useTestApis({ beforeAll, afterAll, beforeEach, afterEach }, { createProvider: providerFor })

    it('holds for random baseURL, url, params and allowAbsoluteUrls', async () => {
      let attached = 0
      await fc.assert(
        fc.asyncProperty(
          bases,
          urls,
          params,
          fc.boolean(),
          async (baseURL, url, query, allowAbsoluteUrls) => {
            let seen: Seen | undefined
            const instance = create({ baseURL })
            attachAppToken(instance, s.provider, { scopes: SCOPE, origins: [API, GRAPH] })
            const adapter = (config: InternalAxiosRequestConfig) => {
              seen = { authorization: config.headers.get('Authorization'), uri: instance.getUri(config) }
              return Promise.resolve({ data: '', status: 200, statusText: 'OK', headers: {}, config })
            }
            // axios itself may refuse the URL (e.g. `http:host`): then nothing is sent.
            const config = {
              allowAbsoluteUrls,
              adapter,
              ...(url !== undefined && { url }),
              ...(query && { params: query }),
            }
            await instance.request(config).catch(() => undefined)
            if (seen === undefined || seen.authorization === undefined || seen.authorization === null) return
            attached++
            const connected = URL.parse(seen.uri)
            expect(connected !== null && allowed.has(connected.origin)).toBe(true)
          },
        ),
        { numRuns: 1000 },
      )
      expect(attached).toBeGreaterThan(10)
    })
  },
)
