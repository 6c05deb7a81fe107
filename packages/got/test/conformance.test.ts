import { Readable } from 'node:stream'
import * as core from '@apptoken/core'
import { adapterConformance, type ConformanceRequest } from '@apptoken/testing/conformance'
import type { Got } from 'got'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { majors, oneLiner } from './clients.js'

/** Sends as a got user would: a path under `prefixUrl`, or an absolute URL for another origin. */
async function send(client: Got, r: ConformanceRequest, got14: boolean) {
  const body =
    r.body === undefined
      ? {}
      : r.stream
        ? { body: Readable.from([r.body]), headers: { 'content-type': 'application/json' } }
        : { json: JSON.parse(r.body) as unknown }
  // got 14 joins even a URL instance to `prefixUrl`: another origin needs `prefixUrl: ''`.
  const absolute = r.path === undefined && got14 ? { prefixUrl: '' } : {}
  const options = { method: r.method, ...body, ...absolute, signal: r.signal, throwHttpErrors: false }
  const res = await client(r.path ?? new URL(r.url), options)
  return { status: res.statusCode }
}

for (const [name, extend] of majors) {
  const got14 = name === 'got 14'
  adapterConformance(
    {
      name: `@apptoken/got (${name})`,
      core,
      createClient: ({ provider, baseUrl, scopes }) => {
        // With got 14 a request to another origin has no base URL, so name the origins (see base-url.test.ts).
        const options = { scopes, ...(got14 && { origins: [baseUrl] }) }
        const client = oneLiner(extend, baseUrl, provider as core.TokenProvider, options)
        return { send: (r) => send(client, r, got14) }
      },
    },
    { describe, it, beforeAll, afterAll },
  )
}
