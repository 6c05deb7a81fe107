import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, it } from 'vitest'
import * as undici8 from 'undici'
import * as undici7 from 'undici7'
import * as core from '@apptoken/core'
import { adapterConformance, type ConformanceRequest } from '@apptoken/testing/conformance'
import { appTokenInterceptor, withAppToken, type AnyFetch } from '../src/index.js'

const runner = { describe, it, beforeAll, afterAll }
const streamOf = (body: string) => new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(body)), c.close()) })

const fetches: [string, AnyFetch][] = [['global fetch', fetch], ['undici 8 fetch', undici8.fetch], ['undici 7 fetch', undici7.fetch]]
for (const [name, inner] of fetches) {
  adapterConformance(
    {
      name: `withAppToken(${name})`,
      core,
      createClient: ({ provider, baseUrl, scopes }) => {
        const apiFetch = withAppToken(inner, provider as core.TokenProvider, { scopes, origins: [baseUrl] }) as unknown as typeof fetch
        return {
          send: async (r: ConformanceRequest) => {
            const body = r.body === undefined ? undefined : r.stream ? streamOf(r.body) : r.body
            const res = await apiFetch(r.url, { method: r.method, body, signal: r.signal, ...(r.stream && { duplex: 'half' }) } as RequestInit)
            await res.body?.cancel()
            return { status: res.status }
          },
        }
      },
    },
    runner,
  )
}

// Both majors share the dispatcher API; typed as undici 8's.
const undicis: [string, typeof undici8][] = [['undici 8', undici8], ['undici 7', undici7 as unknown as typeof undici8]]
for (const [name, undici] of undicis) {
  adapterConformance(
    {
      name: `appTokenInterceptor (${name})`,
      core,
      createClient: ({ provider, baseUrl, scopes }) => {
        const dispatcher = new undici.Agent().compose(
          appTokenInterceptor(provider as core.TokenProvider, { scopes, origins: [baseUrl] }),
          undici.interceptors.redirect({ maxRedirections: 3 }),
        )
        return {
          send: async (r: ConformanceRequest) => {
            const body = r.body === undefined ? null : r.stream ? Readable.from([r.body]) : r.body
            const res = await undici.request(r.url, { method: r.method, body, dispatcher, ...(r.signal && { signal: r.signal }) })
            await res.body.dump()
            return { status: res.statusCode }
          },
          close: () => dispatcher.close(),
        }
      },
    },
    runner,
  )
}
