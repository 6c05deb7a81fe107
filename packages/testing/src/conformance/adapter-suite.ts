import { strict as assert } from 'node:assert'
import { startTestAuthority, type TestAuthority } from '../authority.js'
import { listen, type RunningServer } from '../http.js'
import { startProtectedApi, type ProtectedApi } from '../protected-api.js'
import { TEST_API_AUDIENCE } from '../defaults.js'
import type { AdapterUnderTest, ConformanceClient, ConformanceRequest } from './adapter-types.js'
import { hooksOf, type ConformanceProvider, type ConformanceRunner } from './runner.js'

const SCOPES = `${TEST_API_AUDIENCE}/.default`
const CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'
const REDIRECTS = [301, 302, 303, 307, 308] as const

/** Another origin on loopback that records what reaches it and answers 401 to everything. */
async function startOtherOrigin(): Promise<
  RunningServer & { seen: { path: string; authorization?: string }[] }
> {
  const seen: { path: string; authorization?: string }[] = []
  const server = await listen((req, res) => {
    seen.push({
      path: req.url ?? '/',
      ...(req.headers.authorization && { authorization: req.headers.authorization }),
    })
    req.resume()
    res.writeHead(401, {
      'www-authenticate': 'Bearer error="invalid_token"',
      'content-type': 'application/json',
    })
    res.end('{"error":"invalid_token"}')
    return Promise.resolve()
  })
  return Object.assign(server, { seen })
}

/**
 * Registers every behaviour an apptoken adapter promises, run against a real test authority,
 * protected API and a second "other" origin: one token for many requests, 50 concurrent 401s →
 * one refresh, a persistent 401 → exactly two sends, claims challenges, no token to other
 * origins or across 301/302/303/307/308 redirects (and no refresh for their 401s), POST bodies
 * replayed, stream bodies not re-sent (the token is still refreshed), and aborts.
 *
 * @example
 * ```ts
 * import { describe, it, beforeAll, afterAll } from 'vitest'
 * import * as core from '@apptoken/core'
 * import { adapterConformance } from '@apptoken/testing/conformance'
 * // your client, bound to setup.provider (here: plain fetch, which a real adapter would wrap)
 * const makeClient = (setup: ClientSetup): ConformanceClient => ({ send: async (r) => ({ status: (await fetch(r.url)).status }) })
 * adapterConformance({ name: 'my-client', core, createClient: makeClient }, { describe, it, beforeAll, afterAll })
 * ```
 */
export function adapterConformance(adapter: AdapterUnderTest, runner: ConformanceRunner): void {
  const { before, after } = hooksOf(runner)
  let authority: TestAuthority
  let api: ProtectedApi
  let other: Awaited<ReturnType<typeof startOtherOrigin>>

  /** A fresh provider and client for one test, closed afterwards whatever happens. */
  async function withClient(
    test: (client: ConformanceClient, provider: ConformanceProvider) => Promise<void>,
  ) {
    authority.reset()
    api.reset()
    other.seen.length = 0
    const { core } = adapter
    const provider = core.createTokenProvider({
      tenantId: authority.tenantId,
      clientId: authority.clientId,
      credential: core.clientSecret(authority.clientSecret) as never,
      authorityHost: authority.authorityHost,
    })
    const client = await adapter.createClient({ provider, baseUrl: api.url, scopes: SCOPES })
    try {
      await test(client, provider)
    } finally {
      await client.close?.()
      await provider.close()
    }
  }
  const toApi = (path: string, rest: Partial<ConformanceRequest> = {}): ConformanceRequest => ({
    method: 'GET',
    url: `${api.url}/${path}`,
    path,
    ...rest,
  })
  const tokenRequests = () => authority.tokenRequests().length

  runner.describe(`${adapter.name} conformance`, () => {
    before(async () => {
      authority = await startTestAuthority()
      api = await startProtectedApi({ authority })
      other = await startOtherOrigin()
    })
    after(async () => {
      await Promise.all([api.close(), other.close()])
      await authority.close()
    })

    runner.it('attaches a token the API accepts, and reuses it from the cache', () =>
      withClient(async (client) => {
        for (let i = 0; i < 5; i++) assert.equal((await client.send(toApi('api/todolist'))).status, 200)
        assert.equal(tokenRequests(), 1)
        assert.equal(new Set(api.requests.map((r) => r.token)).size, 1)
      }),
    )

    runner.it('recovers 50 concurrent 401s of a revoked token with one token request', () =>
      withClient(async (client) => {
        await client.send(toApi('api/todolist'))
        api.revoke(api.requests[0]!.token!)
        const statuses = await Promise.all(
          Array.from({ length: 50 }, () => client.send(toApi('api/todolist'))),
        )
        assert.deepEqual(new Set(statuses.map((r) => r.status)), new Set([200]))
        assert.equal(tokenRequests(), 2)
      }),
    )

    runner.it('sends exactly twice when the API keeps answering 401, and hands the caller the 401', () =>
      withClient(async (client) => {
        api.rejectAlways(true)
        assert.equal((await client.send(toApi('api/todolist'))).status, 401)
        assert.equal(api.requests.length, 2)
        assert.notEqual(api.requests[0]!.token, api.requests[1]!.token)
      }),
    )

    runner.it('answers a claims challenge with a token requested with those claims', () =>
      withClient(async (client) => {
        api.challengeNext(CLAIMS)
        assert.equal((await client.send(toApi('api/todolist'))).status, 200)
        assert.equal(api.requests.length, 2)
        assert.deepEqual(JSON.parse(authority.tokenRequests().at(-1)!.claims ?? 'null'), JSON.parse(CLAIMS))
      }),
    )

    runner.it('sends no token to another origin, and its 401 forces no refresh', () =>
      withClient(async (client) => {
        assert.equal(
          (await client.send({ method: 'GET', url: `${other.origin}/api/todolist`, path: undefined })).status,
          401,
        )
        assert.equal(other.seen.length, 1)
        assert.equal(other.seen[0]!.authorization, undefined)
        assert.equal(tokenRequests(), 0)
      }),
    )

    if (adapter.followsRedirects !== false) {
      for (const status of adapter.redirectStatuses ?? REDIRECTS) {
        runner.it(
          `sends no token across a cross-origin ${status} redirect, and its 401 forces no refresh`,
          () =>
            withClient(async (client) => {
              const to = encodeURIComponent(`${other.origin}/landing`)
              assert.equal((await client.send(toApi(`api/redirect?status=${status}&to=${to}`))).status, 401)
              assert.equal(other.seen.length, 1, 'the client followed the redirect once')
              assert.equal(other.seen[0]!.authorization, undefined)
              assert.equal(tokenRequests(), 1)
            }),
        )
      }
    }

    runner.it('re-sends a POST body with the refreshed token', () =>
      withClient(async (client) => {
        await client.send(toApi('api/todolist'))
        api.revoke(api.requests[0]!.token!)
        const body = '{"title":"replayed"}'
        assert.equal((await client.send(toApi('api/echo', { method: 'POST', body }))).status, 200)
        const posts = api.requests.filter((r) => r.method === 'POST')
        assert.deepEqual(
          posts.map((r) => r.body),
          [body, body],
        )
      }),
    )

    if (adapter.streamBodies !== false) {
      runner.it('does not re-send a stream body, but refreshes the token for later requests', () =>
        withClient(async (client) => {
          await client.send(toApi('api/todolist'))
          api.revoke(api.requests[0]!.token!)
          const r = await client.send(toApi('api/echo', { method: 'POST', body: '{"a":1}', stream: true }))
          assert.equal(r.status, 401)
          assert.equal(api.requests.filter((x) => x.method === 'POST').length, 1)
          assert.equal(tokenRequests(), 2)
          assert.equal((await client.send(toApi('api/todolist'))).status, 200)
          assert.equal(tokenRequests(), 2)
        }),
      )
    }

    runner.it("rejects with the caller's abort while waiting for a token, and sends nothing", () =>
      withClient(async (client) => {
        authority.failNext({ delayMs: 60_000 })
        const controller = new AbortController()
        const sending = client.send(toApi('api/todolist', { signal: controller.signal }))
        controller.abort(new Error('caller gave up'))
        await assert.rejects(sending)
        assert.equal(api.requests.length, 0)
      }),
    )
  })
}
