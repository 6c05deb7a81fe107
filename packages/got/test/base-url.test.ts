import { ConfigurationError } from '@apptoken/core'
import { describe, expect, it } from 'vitest'
import { appToken } from '../src/index.js'
import { majors, oneLiner, orders } from './clients.js'
import { scopes, useServers } from './fixtures.js'

const s = useServers()

/** The error a got request failed with, and apptoken's error inside it. */
const failure = async (call: Promise<unknown>) => {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as Error | undefined
  return { error, cause: error?.cause }
}

describe.each(majors)('the one-liner with %s', (name, extend) => {
  it.each(orders)('works with %s: the token goes to prefixUrl only', async (order) => {
    const client = oneLiner(extend, s.api.url, s.provider, { scopes }, order)
    s.api.rejectNext() // one refresh, one retry
    expect((await client('api/todolist')).statusCode).toBe(200)
    expect(s.api.requests.map((r) => r.status)).toEqual([401, 200])
    expect(s.api.requests.every((r) => r.token?.startsWith('ey'))).toBe(true)
    const to = `${s.other.url}/api/echo`
    const redirected = await client('api/redirect', { searchParams: { to }, throwHttpErrors: false })
    expect(redirected.statusCode).toBe(401)
    expect(s.other.requests.map((r) => r.headers.authorization)).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(2)
  })

  if (name !== 'got 14') {
    it('sends no token to an absolute URL on another origin', async () => {
      const client = oneLiner(extend, s.api.url, s.provider, { scopes })
      const res = await client(new URL(`${s.other.url}/api/echo`), { throwHttpErrors: false })
      expect(res.statusCode).toBe(401)
      expect(s.other.requests.map((r) => r.headers.authorization)).toEqual([undefined])
    })
  } else {
    it("fails a request with prefixUrl: '' (got 14's way to another origin) before sending: it has no base URL", async () => {
      const client = oneLiner(extend, s.api.url, s.provider, { scopes })
      const { cause } = await failure(client(`${s.other.url}/api/echo`, { prefixUrl: '' }))
      expect(cause).toBeInstanceOf(ConfigurationError)
      expect(s.other.requests).toHaveLength(0)
    })
  }

  it('fails the first request with a ConfigurationError, before sending, when there is no prefixUrl', async () => {
    const client = extend(appToken(s.provider, { scopes }))
    const { error, cause } = await failure(client(new URL(`${s.api.url}/api/todolist`)))
    expect(error).toMatchObject({ name: 'RequestError', code: 'ERR_CONFIGURATION' })
    expect(cause).toBeInstanceOf(ConfigurationError)
    expect(cause).toMatchObject({
      option: 'origins',
      message: expect.stringMatching(/neither origins nor prefixUrl/),
    })
    expect(s.api.requests).toHaveLength(0)
    expect(s.authority.tokenRequests()).toHaveLength(0)
  })

  it('still takes the deprecated appToken() prefixUrl, which pins the origin', async () => {
    const client = extend({ prefixUrl: s.other.url }, appToken(s.provider, { scopes, prefixUrl: s.api.url }))
    expect((await client('api/echo', { throwHttpErrors: false })).statusCode).toBe(401)
    expect(s.other.requests.map((r) => r.headers.authorization)).toEqual([undefined])
  })
})
