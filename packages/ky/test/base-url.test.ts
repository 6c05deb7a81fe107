import { ConfigurationError, type TokenProvider } from '@apptoken/core'
import {
  startProtectedApi,
  startTestAuthority,
  type ProtectedApi,
  type TestAuthority,
} from '@apptoken/testing'
import ky from 'ky'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { appToken } from '../src/index.js'
import { oneLiner, variants } from './clients.js'
import { SCOPE as scopes, providerFor } from './support.js'

let authority: TestAuthority
let api: ProtectedApi
let other: ProtectedApi
let provider: TokenProvider

beforeAll(async () => {
  authority = await startTestAuthority()
  api = await startProtectedApi({ authority })
  other = await startProtectedApi({ authority })
})
afterAll(async () => {
  await Promise.all([api.close(), other.close()])
  await authority.close()
})
beforeEach(() => {
  provider = providerFor(authority)
})
afterEach(async () => {
  await provider.close()
  for (const server of [api, other, authority]) server.reset()
})

const orders = ['base URL first', 'hooks first'] as const

describe.each(variants)('the one-liner with $name', (variant) => {
  it.each(orders)('works with the %s: the token goes to the base URL only', async (order) => {
    const client = oneLiner(variant, api.url, provider, { scopes }, order)
    api.rejectNext() // one refresh, one retry
    expect((await client('api/todolist')).status).toBe(200)
    expect(api.requests.map((r) => r.status)).toEqual([401, 200])
    expect(api.requests.every((r) => r.token?.startsWith('ey'))).toBe(true)
    const elsewhere = await client(new URL(`${other.url}/api/echo`), { throwHttpErrors: false })
    expect(elsewhere.status).toBe(401)
    expect(other.requests.map((r) => r.headers.authorization)).toEqual([undefined])
    expect(authority.tokenRequests()).toHaveLength(2)
  })

  it('fails the first request with a ConfigurationError, before sending, when there is no base URL', async () => {
    const client = variant
      .create({ retry: 0 })
      .extend(appToken(provider, { scopes, ...(variant.ky && { ky: variant.ky }) }))
    const error = await client(new URL(`${api.url}/api/todolist`)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect(error).toMatchObject({ code: 'ERR_CONFIGURATION', option: 'origins' })
    expect((error as Error).message).toMatch(/neither origins nor baseUrl/)
    expect(api.requests).toHaveLength(0)
    expect(authority.tokenRequests()).toHaveLength(0)
  })
})

describe('the base URL a ky 2 request sees', () => {
  it('is baseUrl when the prefix is relative', async () => {
    const client = ky.create({ baseUrl: api.url, prefix: '/api' }).extend(appToken(provider, { scopes }))
    expect((await client('todolist')).status).toBe(200)
    expect(api.requests[0]?.token).toMatch(/^ey/)
  })

  it('is the deprecated appToken() baseUrl when given: it pins the origin', async () => {
    const client = ky.create({ baseUrl: other.url }).extend(appToken(provider, { scopes, baseUrl: api.url }))
    expect((await client('api/echo', { throwHttpErrors: false })).status).toBe(401)
    expect(other.requests.map((r) => r.headers.authorization)).toEqual([undefined])
    expect((await client(new URL(`${api.url}/api/todolist`))).status).toBe(200)
  })
})
