// got-specific behaviour; what every adapter promises runs in conformance.test.ts.
import { inspect } from 'node:util'
import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import type { ProtectedApi } from '@apptoken/testing'
import type { HTTPError } from 'got'
import { describe, expect, it } from 'vitest'
import { appToken } from '../src/index.js'
import { majors, oneLiner } from './clients.js'
import { scopes, useServers } from './fixtures.js'

const s = useServers()

const tokens = (server: ProtectedApi) => server.requests.map((r) => r.token)
const statuses = (server: ProtectedApi) => server.requests.map((r) => r.status)

/** got options that retry a 404 once, at once, after running `beforeRetry`. */
const retryA404 = (beforeRetry: (error: { options: { url?: unknown } }, count: number) => void) => ({
  retry: {
    limit: 1,
    statusCodes: [404],
    methods: ['GET'],
    calculateDelay: ({ computedValue }: { computedValue: number }) => (computedValue ? 1 : 0),
  },
  hooks: { beforeRetry: [beforeRetry] },
})

describe.each(majors)('%s', (name, extend) => {
  const client = () => oneLiner(extend, s.api.url, s.provider, { scopes })

  it('attaches the token to got.stream requests (which got does not retry on 401)', async () => {
    const api1 = client()
    const chunks: Buffer[] = []
    for await (const chunk of api1.stream('api/todolist')) chunks.push(chunk as Buffer)
    expect(JSON.parse(Buffer.concat(chunks).toString())).toContainEqual(expect.objectContaining({ id: '1' }))
    expect(tokens(s.api)[0]).toMatch(/^ey/)
    s.api.rejectNext()
    const failed = await (async () => {
      for await (const _ of api1.stream('api/todolist')) void _
    })().catch((e: unknown) => e)
    expect((failed as HTTPError).response.statusCode).toBe(401)
    expect(statuses(s.api)).toEqual([200, 401])
  })

  it('keeps a same-origin redirect on the token, and leaves a header the caller set alone', async () => {
    const same = await client()('api/redirect', { searchParams: { to: `${s.api.url}/api/todolist` } })
    expect(same.statusCode).toBe(200)
    expect(s.api.requests.map((r) => r.status)).toEqual([302, 200])
    const [first, second] = tokens(s.api)
    expect([first, second === first]).toEqual([expect.stringMatching(/^ey/), true]) // both hops
    const anywhere = extend(appToken(s.provider, { scopes, origins: [s.api.origin] }))
    const mine = 'Bearer chosen-by-the-caller'
    await anywhere(new URL(`${s.other.url}/public/ping`), { headers: { authorization: mine } })
    expect(s.other.requests.map((r) => r.headers.authorization)).toEqual([mine])
  })

  it('decides every redirect hop again: another allowed origin gets the token, a cached token included', async () => {
    const both = extend(appToken(s.provider, { scopes, origins: [s.api.origin, s.other.origin] }))
    await s.provider.getToken(scopes) // cached: the first hop is set without a hook
    const to = `${s.other.url}/api/todolist`
    const answer = await both(new URL(`${s.api.url}/api/redirect`), { searchParams: { to } })
    expect(answer.statusCode).toBe(200)
    // got drops Authorization on a cross-origin redirect; apptoken sets it again for an allowed origin.
    expect([statuses(s.api), statuses(s.other)]).toEqual([[302], [200]])
    expect(tokens(s.other)[0]).toBe(tokens(s.api)[0])
    // The instance's own hooks are unchanged: the hop's check was added to that request only.
    expect(both.defaults.options.hooks.beforeRequest).toHaveLength(0)
  })

  it('decides a retry again: a caller’s beforeRetry hook that moves the URL to another origin sends it no token', async () => {
    const moved = extend(
      client(),
      retryA404((error) => {
        error.options.url = new URL(`${s.other.url}/public/ping`)
      }),
    )
    await s.provider.getToken(scopes)
    const answer = await moved('api/todolist/no-such-item')
    expect(answer.statusCode).toBe(200)
    expect([statuses(s.api), s.other.requests.map((r) => r.headers.authorization)]).toEqual([
      [404],
      [undefined],
    ])
  })

  it('re-sends a 401 that answers a retry of got’s own (its afterResponse hook is there from the start of a retry)', async () => {
    const retrying = extend(
      client(),
      retryA404((error, count) => {
        error.options.url = new URL(`${s.api.url}/api/todolist`)
        if (count === 1) s.api.rejectNext() // got's retry is answered 401 (apptoken's re-send runs these hooks too)
      }),
    )
    const answer = await retrying('api/todolist/no-such-item')
    expect(answer.statusCode).toBe(200)
    expect(statuses(s.api)).toEqual([404, 401, 200])
    const [first, second, third] = tokens(s.api)
    expect([second === first, third === first]).toEqual([true, false]) // refreshed for the re-send
  })

  it('re-sends a 401 with got’s response cache on, and leaves the instance’s afterResponse hooks as they are', async () => {
    const cached = extend(client(), { cache: new Map() })
    s.api.rejectNext()
    expect((await cached('api/todolist')).statusCode).toBe(200)
    expect(statuses(s.api)).toEqual([401, 200])
    expect(cached.defaults.options.hooks.afterResponse).toHaveLength(0)
  })

  it('decides after the caller’s own beforeRequest hooks: one that moves the URL to another origin sends it no token', async () => {
    const moveUrl = (options: { url?: unknown }) => {
      options.url = new URL(`${s.other.url}/public/ping`)
    }
    await s.provider.getToken(scopes)
    for (const moved of [
      extend({ hooks: { beforeRequest: [moveUrl] } }, client()),
      extend(client(), { hooks: { beforeRequest: [moveUrl] } }),
    ])
      expect((await moved('api/todolist')).statusCode).toBe(200)
    expect([statuses(s.api), s.other.requests.map((r) => r.headers.authorization)]).toEqual([
      [],
      [undefined, undefined],
    ])
  })

  it('keeps the retry state per request when the instance has a context of its own', async () => {
    const withContext = extend({ context: { tenant: 'contoso' } }, client())
    s.api.rejectNext()
    for (let i = 0; i < 3; i++) expect((await withContext('api/todolist')).statusCode).toBe(200)
    expect(statuses(s.api)).toEqual([401, 200, 200, 200])
    expect(inspect(withContext.defaults.options.context)).not.toMatch(/ey/)
  })

  it('pages with absolute next-page URLs have no prefixUrl: they fail closed without origins, and work with them', async () => {
    let page = 0
    const pagination = {
      transform: () => [++page],
      paginate: () => (page < 3 ? { url: new URL(`${s.api.url}/api/todolist?page=${page + 1}`) } : false),
    }
    const { cause } = await client()
      .paginate.all('api/todolist', { pagination } as never)
      .then(
        () => ({ cause: undefined }),
        (e: Error) => ({ cause: e.cause }),
      )
    expect(cause).toBeInstanceOf(ConfigurationError) // got empties prefixUrl for page 2 (got 14: already for page 1)
    expect(s.api.requests).toHaveLength(name === 'got 14' ? 0 : 1)
    page = 0
    const pinned = oneLiner(extend, s.api.url, s.provider, { scopes, origins: [s.api.origin] })
    expect(await pinned.paginate.all('api/todolist', { pagination } as never)).toEqual([1, 2, 3])
    const pages = s.api.requests.slice(-3)
    expect(pages.map((r) => r.status)).toEqual([200, 200, 200])
    expect(pages.every((r) => r.token !== undefined && r.token === pages[0]!.token)).toBe(true)
  })

  it('fails the request with the token error when no token can be had', async () => {
    s.authority.failNext({ status: 401, error: 'invalid_client', aadsts: 7000215 })
    const error = await client()('api/todolist').catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'RequestError' })
    expect((error as Error).cause).toMatchObject({ code: 'ERR_TOKEN_REQUEST', aadsts: 'AADSTS7000215' })
    expect(s.api.requests).toHaveLength(0)
  })

  it('keeps the token out of util.inspect of the request context', async () => {
    s.api.rejectAlways(true)
    const error = await client()('api/todolist').catch((e: unknown) => e)
    expect(inspect((error as HTTPError).options.context, { depth: 5 })).not.toMatch(/ey[\w-]+\.ey/)
  })

  it('rejects bad input when the options are created', () => {
    expect(() => appToken(s.provider, { scopes, origins: ['http://api.contoso.com'] })).toThrow(/plain http/)
    expect(() => appToken(s.provider, { scopes, prefixUrl: 'http://api.contoso.com' })).toThrow(
      ConfigurationError,
    )
    expect(() => appToken(s.provider, { scopes: 'api://x' })).toThrow(ConfigurationError)
    expect(() => appToken({} as TokenProvider, { scopes })).toThrow(ConfigurationError)
    expect(() => appToken(s.provider, {} as never)).toThrow(/scopes/)
    expect(() => appToken(s.provider, { scopes })).not.toThrow() // the base URL comes with each request
  })
})
