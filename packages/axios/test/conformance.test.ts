import * as core from '@apptoken/core'
import { adapterConformance, type ConformanceRequest } from '@apptoken/testing/conformance'
import axios, { type AxiosInstance } from 'axios'
import axios18 from 'axios18'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { attachAppToken } from '../src/index.js'

const runner = { describe, it, beforeAll, afterAll }
const streamOf = (body: string, adapter: string) =>
  adapter === 'http'
    ? Readable.from([body])
    : new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(body)), c.close()) })

const versions: [string, (config: object) => AxiosInstance][] = [
  ['axios 1.21', (config) => axios.create(config)],
  ['axios 1.8', (config) => axios18.create(config) as unknown as AxiosInstance],
]
for (const [version, create] of versions) {
  for (const adapter of ['http', 'fetch']) {
    // axios 1.8's fetch adapter calls the global fetch and keeps no response URL, so after a
    // followed redirect it cannot tell who answered: such a 401 never forces a refresh. With
    // redirects off (fetch `redirect: 'manual'`) the answer is the request's own URL, and the rest holds.
    const blind = version === 'axios 1.8' && adapter === 'fetch'
    adapterConformance(
      {
        name: `attachAppToken (${version}, ${adapter} adapter${blind ? ", redirect: 'manual'" : ''})`,
        core,
        followsRedirects: !blind,
        createClient: ({ provider, baseUrl, scopes }) => {
          const api = create({
            baseURL: baseUrl,
            adapter,
            ...(blind && { fetchOptions: { redirect: 'manual' } }),
          })
          attachAppToken(api, provider as core.TokenProvider, { scopes })
          return {
            send: async (r: ConformanceRequest) => {
              const data = r.body !== undefined && r.stream ? streamOf(r.body, adapter) : r.body
              const headers = { 'content-type': 'application/json' }
              const request = { url: r.path ?? r.url, method: r.method, headers, data, signal: r.signal }
              const response = await api.request(request as object).catch((error: unknown) => {
                // An answer of any status is a response; a failure to get one (abort) rejects.
                if (axios.isAxiosError(error) && error.response) return error.response
                throw error
              })
              return { status: response.status }
            },
          }
        },
      },
      runner,
    )
  }
}
