import * as core from '@apptoken/core'
import { adapterConformance, type ConformanceRequest } from '@apptoken/testing/conformance'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { oneLiner, variants, type Client } from './clients.js'

const streamOf = (text: string) => new Blob([text]).stream()

/** Sends as a ky user would: a path under the base URL, or a `URL` for another origin. */
async function send(client: Client, r: ConformanceRequest) {
  const body =
    r.body === undefined
      ? {}
      : r.stream
        ? { body: streamOf(r.body), headers: { 'content-type': 'application/json' } }
        : { json: JSON.parse(r.body) as unknown }
  const res = await client(r.path ?? new URL(r.url), {
    method: r.method,
    ...body,
    signal: r.signal,
    throwHttpErrors: false,
  })
  await res.body?.cancel()
  return { status: res.status }
}

for (const variant of variants) {
  adapterConformance(
    {
      name: `@apptoken/ky (${variant.name})`,
      core,
      createClient: ({ provider, baseUrl, scopes }) => {
        const client = oneLiner(variant, baseUrl, provider as core.TokenProvider, { scopes })
        return { send: (r) => send(client, r) }
      },
    },
    { describe, it, beforeAll, afterAll },
  )
}
