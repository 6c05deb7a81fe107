import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { clientSecret, ConfigurationError, createTokenProvider, memoryCache } from '../src/index.js'
import { authority } from './support.js'

let a: TestAuthority
beforeAll(async () => {
  a = await authority()
})
afterAll(() => a.close())

const generic = (options: Record<string, unknown> = {}) =>
  createTokenProvider({
    tokenEndpoint: a.tokenEndpoint(a.tenantId),
    clientId: a.clientId,
    credential: clientSecret(a.clientSecret),
    ...options,
  })

const SCOPE = 'api://apptoken-test-api/.default'

describe('tokenParams and per-call params', () => {
  it('sends tokenParams with every token request', async () => {
    a.reset()
    const p = generic({ tokenParams: { audience: 'https://api.example.com' } })
    await p.getToken(SCOPE)
    expect(a.tokenRequests().map((r) => r.form.audience)).toEqual(['https://api.example.com'])
    await p.close()
  })

  it('lets a call override tokenParams of the same name, and keys the cache by the parameters', async () => {
    a.reset()
    const p = generic({ tokenParams: { audience: 'https://one.example.com', tenant_hint: 'x' } })
    const two = { audience: 'https://two.example.com' }
    const t1 = await p.getToken(SCOPE)
    const t2 = await p.getToken(SCOPE, { params: two })
    const t2again = await p.getToken(SCOPE, { params: two })
    const t2copy = await p.getToken(SCOPE, { params: { audience: 'https://two.example.com' } })
    expect(t1.accessToken).not.toBe(t2.accessToken)
    expect(t2again.fromCache).toBe(true)
    expect(t2copy.accessToken).toBe(t2.accessToken)
    const forms = a.tokenRequests().map((r) => r.form)
    expect(forms.map((f) => f.audience)).toEqual(['https://one.example.com', 'https://two.example.com'])
    expect(forms.every((f) => f.tenant_hint === 'x')).toBe(true)
    expect(p.stats().tokenRequests).toBe(2)
    await p.close()
  })

  it('sends a list as one parameter per value (RFC 8707 resource)', async () => {
    const bodies: string[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        bodies.push(body)
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 }))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as AddressInfo
    const p = generic({
      tokenEndpoint: `http://127.0.0.1:${port}/token`,
      tokenParams: { resource: ['https://a.example.com', 'https://b.example.com'] },
    })
    await p.getToken('read')
    expect(new URLSearchParams(bodies[0]).getAll('resource')).toEqual([
      'https://a.example.com',
      'https://b.example.com',
    ])
    await p.close()
    await new Promise((r) => server.close(r))
  })

  it('keeps shared-cache keys apart per parameter set', async () => {
    a.reset()
    const cache = memoryCache()
    const one = generic({ cache, tokenParams: { audience: 'https://one.example.com' } })
    const two = generic({ cache, tokenParams: { audience: 'https://two.example.com' } })
    const t1 = await one.getToken(SCOPE)
    const t2 = await two.getToken(SCOPE)
    expect(t1.accessToken).not.toBe(t2.accessToken)
    expect(a.tokenRequests()).toHaveLength(2)
    await Promise.all([one.close(), two.close()])
  })

  it.each([
    'grant_type',
    'client_id',
    'client_secret',
    'client_assertion',
    'client_assertion_type',
    'scope',
    'Scope',
  ])('refuses the reserved name %s with a ConfigurationError', async (name) => {
    expect(() => generic({ tokenParams: { [name]: 'x' } })).toThrow(ConfigurationError)
    expect(() => generic({ tokenParams: { [name]: 'x' } })).toThrow(new RegExp(`tokenParams\\.${name}`))
    const p = generic()
    await expect(p.getToken(SCOPE, { params: { [name]: 'secret-value' } })).rejects.toThrow(/params\./)
    await expect(p.getToken(SCOPE, { params: { [name]: 'secret-value' } })).rejects.not.toThrow(
      /secret-value/,
    )
    await p.close()
  })

  it('refuses values that are not strings or lists of strings', () => {
    expect(() => generic({ tokenParams: { audience: 3 } })).toThrow(/tokenParams\.audience/)
    expect(() => generic({ tokenParams: { resource: [] } })).toThrow(ConfigurationError)
    expect(() => generic({ tokenParams: 'audience=x' })).toThrow(ConfigurationError)
  })
})

describe('adapter option params', () => {
  it('asks for tokens with the adapter\u2019s params', async () => {
    const { createRequestAuthorizer } = await import('../src/adapter.js')
    a.reset()
    const p = generic({ tokenParams: { audience: 'https://one.example.com' } })
    const auth = createRequestAuthorizer(
      p,
      { scopes: SCOPE, params: { audience: 'https://two.example.com' } },
      { adapter: 'test', baseUrl: 'https://api.example.com' },
    )
    const sent = await auth.authorize('https://api.example.com/x')
    await auth.authorize('https://api.example.com/y', AbortSignal.timeout(60_000))
    expect(sent?.header).toMatch(/^Bearer /)
    expect(a.tokenRequests().map((r) => r.form.audience)).toEqual(['https://two.example.com'])
    await p.close()
  })

  it('refuses reserved adapter params when the client is built', async () => {
    const { createRequestAuthorizer } = await import('../src/adapter.js')
    const p = generic()
    expect(() =>
      createRequestAuthorizer(
        p,
        { scopes: SCOPE, params: { client_secret: 'x' } },
        { adapter: 'test', baseUrl: 'https://api.example.com' },
      ),
    ).toThrow(/params\.client_secret/)
    await p.close()
  })
})
