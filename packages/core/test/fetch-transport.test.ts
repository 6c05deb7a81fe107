// The fetch transport (Bun's path, where undici is partial) run on Node's fetch against real local
// servers. The runtime smoke suite (scripts/runtimes/) runs it on Bun itself.
import type { HttpTransportOptions } from '../src/http.js'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as undici from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { DISABLE_FETCH_FALLBACK_ENV, createFetchTransport, undiciWorks } from '../src/fetch-transport.js'
import type { HttpRequest } from '../src/http.js'
import { API, authority } from './support.js'

let a: TestAuthority
let redirecting: Server
let redirectUrl: string
beforeAll(async () => {
  a = await authority()
  redirecting = createServer((_req, res) => res.writeHead(302, { location: a.tokenEndpoint() }).end())
  await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve))
  redirectUrl = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/token`
})
afterEach(() => a.reset())
afterAll(async () => {
  await new Promise((resolve) => redirecting.close(resolve))
  await a.close()
})

const transport = (options: { timeoutMs?: number; maxBodyBytes?: number; dispatcher?: unknown } = {}) =>
  createFetchTransport({ timeoutMs: 5_000, maxBodyBytes: 1024 * 1024, ...options } as HttpTransportOptions)

function tokenRequest(extra: Partial<HttpRequest> = {}): HttpRequest {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: a.clientId,
    client_secret: a.clientSecret,
    scope: API,
  }).toString()
  return {
    url: a.tokenEndpoint(),
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    ...extra,
  }
}

describe('createFetchTransport', () => {
  it('sends the token request and returns status, lower-case headers and the body', async () => {
    const res = await transport().request(tokenRequest({ direct: true }))
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(res.body)).toMatchObject({ token_type: 'Bearer', expires_in: 3600 })
    expect(a.tokenRequests()).toMatchObject([{ authMethod: 'client_secret_post', status: 200 }])
  })

  it('returns a redirect as is instead of following it', async () => {
    const res = await transport().request(tokenRequest({ url: redirectUrl }))
    expect(res.status).toBe(302)
    expect(a.tokenRequests()).toEqual([])
  })

  it('limits the size of a response body', async () => {
    a.failNext({ status: 200, body: JSON.stringify({ access_token: 'x'.repeat(10_000), expires_in: 3600 }) })
    await expect(transport({ maxBodyBytes: 4096 }).request(tokenRequest())).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN_RESPONSE',
      message: `The response from ${a.tokenEndpoint()} exceeded 4096 bytes`,
    })
  })

  it('times out a hung request with a TimeoutError', async () => {
    a.failNext({ delayMs: 2_000 })
    await expect(transport({ timeoutMs: 50 }).request(tokenRequest())).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
      timeoutMs: 50,
    })
  })

  it("rethrows the caller's abort, not a timeout", async () => {
    a.failNext({ delayMs: 2_000 })
    const controller = new AbortController()
    const pending = transport().request(tokenRequest({ signal: controller.signal }))
    controller.abort(new Error('caller gave up'))
    await expect(pending).rejects.toThrow('caller gave up')
  })

  it('turns a refused connection into a NetworkError naming the endpoint, never the secret', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/t/oauth2/v2.0/token`
    await new Promise((resolve) => closed.close(resolve))
    const error = (await transport()
      .request(tokenRequest({ url }))
      .catch((e: unknown) => e)) as Error & { code: string }
    expect(error.code).toBe('ERR_NETWORK')
    expect(error.message).toContain(`Could not reach ${url}`)
    expect(error.message).not.toContain(a.clientSecret)
  })

  it('refuses a dispatcher it cannot honour with a ConfigurationError', async () => {
    await expect(transport({ dispatcher: {} }).request(tokenRequest())).rejects.toMatchObject({
      code: 'ERR_CONFIGURATION',
      option: 'dispatcher',
    })
    expect(a.tokenRequests()).toEqual([])
  })
})

describe('undiciWorks', () => {
  it("accepts undici, refuses Bun's method-less classes unless the fallback is switched off", () => {
    expect(undiciWorks(undici)).toBe(true)
    const bunLike = { Agent: class Agent {} }
    expect(undiciWorks(bunLike)).toBe(false)
    expect(undiciWorks({})).toBe(false)
    process.env[DISABLE_FETCH_FALLBACK_ENV] = '1'
    try {
      expect(undiciWorks(bunLike)).toBe(true)
    } finally {
      delete process.env[DISABLE_FETCH_FALLBACK_ENV]
    }
  })
})
