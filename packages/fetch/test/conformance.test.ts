import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { Agent, interceptors, request } from 'undici'
import * as core from '@apptoken/core'
import { adapterConformance, type ConformanceRequest } from '@apptoken/testing/conformance'
import { appTokenInterceptor, withAppToken } from '../src/index.js'

const runner = { describe, it, beforeAll, afterAll }
const streamOf = (body: string) => new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(body)), c.close()) })

adapterConformance(
  {
    name: 'withAppToken(fetch)',
    core,
    createClient: ({ provider, baseUrl, scopes }) => {
      const apiFetch = withAppToken(fetch, provider as core.TokenProvider, { scopes, origins: [baseUrl] })
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

adapterConformance(
  {
    name: 'appTokenInterceptor (undici)',
    core,
    createClient: ({ provider, baseUrl, scopes }) => {
      const dispatcher = new Agent().compose(
        appTokenInterceptor(provider as core.TokenProvider, { scopes, origins: [baseUrl] }),
        interceptors.redirect({ maxRedirections: 3 }),
      )
      return {
        send: async (r: ConformanceRequest) => {
          const body = r.body === undefined ? undefined : r.stream ? Readable.from([r.body]) : r.body
          const res = await request(r.url, { method: r.method, body, signal: r.signal, dispatcher })
          await res.body.dump()
          return { status: res.statusCode }
        },
        close: () => dispatcher.close(),
      }
    },
  },
  runner,
)
