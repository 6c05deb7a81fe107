import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { createTokenProvider, type ClientCredential } from '../src/index.js'
import { API, authority } from './support.js'

// The README's "Writing a credential" example, as written there.
function storedSecret(secretUrl: string): ClientCredential {
  return {
    kind: 'stored_secret',
    async authenticate(ctx) {
      const res = await ctx.http.request({ url: secretUrl, method: 'GET', headers: { accept: 'application/json' }, signal: ctx.signal })
      if (res.status !== 200) throw new Error(`the secret store answered ${res.status}`)
      return { form: { client_secret: (JSON.parse(res.body) as { value: string }).value } }
    },
  }
}

let a: TestAuthority
let store: Server
let storeUrl: string
let current = ''
beforeAll(async () => {
  a = await authority()
  current = a.clientSecret
  store = createServer((_req, res) => {
    res.writeHead(current ? 200 : 503, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ value: current }))
  })
  await new Promise<void>((r) => store.listen(0, '127.0.0.1', r))
  storeUrl = `http://127.0.0.1:${(store.address() as { port: number }).port}/secrets/app`
})
afterAll(async () => {
  await new Promise((r) => store.close(r))
  await a.close()
})

it('gets tokens with a secret read from a store on every request, and picks up a rotation', async () => {
  const provider = createTokenProvider({
    tenantId: a.tenantId, clientId: a.clientId, authorityHost: a.authorityHost, credential: storedSecret(storeUrl),
  })
  const first = await provider.getToken(API)
  expect(first.accessToken.split('.')).toHaveLength(3)
  // Rotate: the app registration and the store get a new secret; the next request uses it.
  current = 'rotated-secret-value-0123456789'
  a.registerClient({ clientId: a.clientId, secret: current })
  const second = await provider.getToken(API, { forceRefresh: true })
  expect(second.accessToken).not.toBe(first.accessToken)
  expect(a.tokenRequests().at(-1)?.status).toBe(200)
  // A failing store fails the request with its own error, never quoting a secret.
  current = ''
  const error = await provider.getToken(API, { forceRefresh: true }).catch((e: unknown) => e)
  expect(String(error)).toContain('the secret store answered 503')
  await provider.close()
})
