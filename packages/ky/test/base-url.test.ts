import { ConfigurationError, clientSecret, createTokenProvider } from '@apptoken/core'
import { TEST_API_AUDIENCE, useTestApis } from '@apptoken/testing'
import ky from 'ky'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { appToken } from '../src/index.js'
import { oneLiner, variants } from './clients.js'

const scopes = `${TEST_API_AUDIENCE}/.default`
const s = useTestApis(
  { beforeAll, afterAll, beforeEach, afterEach },
  {
    createProvider: (authority) =>
      createTokenProvider({
        ...authority.providerOptions,
        credential: clientSecret(authority.clientSecret),
        retry: false,
      }),
  },
)

const orders = ['base URL first', 'hooks first'] as const

describe.each(variants)('the one-liner with $name', (variant) => {
  it.each(orders)('works with the %s: the token goes to the base URL only', async (order) => {
    const client = oneLiner(variant, s.api.url, s.provider, { scopes }, order)
    s.api.rejectNext() // one refresh, one retry
    expect((await client('api/todolist')).status).toBe(200)
    expect(s.api.requests.map((r) => r.status)).toEqual([401, 200])
    expect(s.api.requests.every((r) => r.token?.startsWith('ey'))).toBe(true)
    const elsewhere = await client(new URL(`${s.other.url}/api/echo`), { throwHttpErrors: false })
    expect(elsewhere.status).toBe(401)
    expect(s.other.requests.map((r) => r.headers.authorization)).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(2)
  })

  it('fails the first request with a ConfigurationError, before sending, when there is no base URL', async () => {
    const client = variant
      .create({ retry: 0 })
      .extend(appToken(s.provider, { scopes, ...(variant.ky && { ky: variant.ky }) }))
    const error = await client(new URL(`${s.api.url}/api/todolist`)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect(error).toMatchObject({ code: 'ERR_CONFIGURATION', option: 'origins' })
    expect((error as Error).message).toMatch(/neither origins nor baseUrl/)
    expect(s.api.requests).toHaveLength(0)
    expect(s.authority.tokenRequests()).toHaveLength(0)
  })
})

describe('the base URL a ky 2 request sees', () => {
  it('is baseUrl when the prefix is relative', async () => {
    const client = ky.create({ baseUrl: s.api.url, prefix: '/api' }).extend(appToken(s.provider, { scopes }))
    expect((await client('todolist')).status).toBe(200)
    expect(s.api.requests[0]?.token).toMatch(/^ey/)
  })

  it('is the deprecated appToken() baseUrl when given: it pins the origin', async () => {
    const client = ky
      .create({ baseUrl: s.other.url })
      .extend(appToken(s.provider, { scopes, baseUrl: s.api.url }))
    expect((await client('api/echo', { throwHttpErrors: false })).status).toBe(401)
    expect(s.other.requests.map((r) => r.headers.authorization)).toEqual([undefined])
    expect((await client(new URL(`${s.api.url}/api/todolist`))).status).toBe(200)
  })
})
