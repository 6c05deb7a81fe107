import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startProtectedApi, type ProtectedApi, type TestAuthority } from '@apptoken/testing'
import {
  ApptokenChannels,
  clientSecret,
  type CacheLookupEvent,
  type RefreshEvent,
  type TokenAcquiredEvent,
  type TokenRequestContext,
  type UnauthorizedRetryEvent,
} from '../src/index.js'
import { createRequestAuthorizer } from '../src/adapter.js'
import { API, authority as startAuthority, fakeClock, providerFor } from './support.js'

const SECRET_LOOKING = /eyJ[A-Za-z0-9_-]{8}|client_assertion"|client_secret=/

let authority: TestAuthority
let api: ProtectedApi
const cleanups: (() => void)[] = []

beforeAll(async () => {
  authority = await startAuthority()
  api = await startProtectedApi({ authority })
})
afterAll(async () => {
  await api.close()
  await authority.close()
})
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
  authority.reset()
})

/** Records every message of the plain channels and every tracing event, by name. */
function listen() {
  const seen: { channel: string; message: unknown }[] = []
  for (const name of Object.values(ApptokenChannels)) {
    if (name === ApptokenChannels.tokenRequest) continue
    const fn = (message: unknown) => seen.push({ channel: name, message })
    subscribe(name, fn)
    cleanups.push(() => unsubscribe(name, fn))
  }
  const traced: { event: string; ctx: TokenRequestContext; snapshot: Record<string, unknown> }[] = []
  const tc = tracingChannel<unknown, TokenRequestContext>(ApptokenChannels.tokenRequest)
  const on = (event: string) => (ctx: TokenRequestContext) =>
    traced.push({ event, ctx, snapshot: JSON.parse(JSON.stringify(ctx)) as Record<string, unknown> })
  const handlers = {
    start: on('start'),
    end: on('end'),
    asyncStart: on('asyncStart'),
    asyncEnd: on('asyncEnd'),
    error: on('error'),
  }
  tc.subscribe(handlers)
  cleanups.push(() => tc.unsubscribe(handlers))
  const of = <T>(channel: string) => seen.filter((s) => s.channel === channel).map((s) => s.message as T)
  return { seen, traced, of }
}

describe('diagnostics channels', () => {
  it('traces a network token request and reports cache misses and hits, never the token', async () => {
    const { traced, of } = listen()
    const provider = providerFor(authority)
    authority.failNext({ status: 503, count: 1 })
    const token = await provider.getToken(API)
    await provider.getToken(API)
    await provider.getToken([API])

    expect(traced.map((t) => t.event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd'])
    expect(traced[0]!.snapshot).toMatchObject({
      clientId: authority.clientId,
      tenantId: authority.tenantId,
      scopes: [API],
      credentialKind: 'client_secret',
      authorityHost: new URL(authority.authorityHost).host,
      reason: 'missing',
      retries: 0,
    })
    expect(traced[3]!.snapshot).toMatchObject({ outcome: 'success', retries: 1, expiresAt: token.expiresAt })
    expect(of<CacheLookupEvent>(ApptokenChannels.cacheLookup).map((e) => e.result)).toEqual([
      'miss',
      'hit',
      'hit',
    ])
    expect(of<TokenAcquiredEvent>(ApptokenChannels.tokenAcquired)).toEqual([
      expect.objectContaining({ source: 'authority', expiresAt: token.expiresAt, scopes: [API] }),
    ])
    const everything = JSON.stringify([traced.map((t) => t.snapshot), of(ApptokenChannels.tokenAcquired)])
    expect(everything).not.toContain(token.accessToken)
    expect(everything).not.toContain(authority.clientSecret)
    await provider.close()
  })

  it('puts the status and AADSTS code of a failed request on the error, and no secret', async () => {
    const { traced } = listen()
    const provider = providerFor(authority, { credential: clientSecret('wrong-secret-value') })
    await expect(provider.getToken(API)).rejects.toMatchObject({ aadsts: 'AADSTS7000215' })
    expect(traced.map((t) => t.event)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd'])
    expect(traced[4]!.snapshot).toMatchObject({
      outcome: 'error',
      errorType: 'ERR_TOKEN_REQUEST',
      status: 401,
      aadsts: 'AADSTS7000215',
    })
    expect(JSON.stringify(traced.map((t) => t.snapshot))).not.toMatch(/wrong-secret-value/)
    expect(JSON.stringify(traced.map((t) => t.snapshot))).not.toMatch(SECRET_LOOKING)
    await provider.close()
  })

  it('reports a due token as stale, the background refresh and its failure; health() turns degraded', async () => {
    const { of } = listen()
    const { clock, advance } = fakeClock(authority.now())
    const provider = providerFor(authority, { clock, retry: { maxRetries: 0 } })
    const first = await provider.getToken(API)
    expect(provider.health()).toMatchObject({
      status: 'ok',
      tokens: [
        { tenantId: authority.tenantId, scopes: [API], expiresAt: first.expiresAt, consecutiveFailures: 0 },
      ],
    })
    authority.failNext({ status: 400, error: 'invalid_client', aadsts: 7000222 })
    advance(first.refreshAt - clock.now() + 1)
    await provider.getToken(API) // served, refresh started in the background
    await expect.poll(() => of<RefreshEvent>(ApptokenChannels.refreshFailed).length).toBe(1)

    expect(of<CacheLookupEvent>(ApptokenChannels.cacheLookup).map((e) => e.result)).toEqual(['miss', 'stale'])
    expect(of<RefreshEvent>(ApptokenChannels.refreshStart)).toHaveLength(1)
    expect(of<RefreshEvent>(ApptokenChannels.refreshFailed)[0]).toMatchObject({
      errorType: 'ERR_TOKEN_REQUEST',
      aadsts: 'AADSTS7000222',
    })
    expect(provider.health()).toMatchObject({
      status: 'degraded',
      tokens: [{ consecutiveFailures: 1, lastError: { code: 'ERR_TOKEN_REQUEST', aadsts: 'AADSTS7000222' } }],
    })
    await provider.close()
  })

  it('health() is failing when a request got no token, and ok again after one arrives', async () => {
    const provider = providerFor(authority, { retry: { maxRetries: 0 } })
    authority.failNext({ status: 400, error: 'invalid_request', aadsts: 90002 })
    await expect(provider.getToken(API)).rejects.toThrow(/AADSTS90002/)
    expect(provider.health()).toEqual({
      status: 'failing',
      tokens: [
        {
          tenantId: authority.tenantId,
          scopes: [API],
          consecutiveFailures: 1,
          lastError: { code: 'ERR_TOKEN_REQUEST', aadsts: 'AADSTS90002', at: expect.any(Number) },
        },
      ],
    })
    await provider.getToken(API)
    expect(provider.health().status).toBe('ok')
    await provider.close()
  })

  it('reports a 401 retry with the origin that answered, not its path', async () => {
    const { of } = listen()
    const provider = providerFor(authority)
    const auth = createRequestAuthorizer(provider, { scopes: API }, { baseUrl: api.url, adapter: 'test' })
    const sent = await auth.authorize(`${api.url}/api/todolist?secret=1`)
    const next = await auth.onUnauthorized({
      url: `${api.url}/api/todolist?secret=1`,
      wwwAuthenticate: 'Bearer error="invalid_token"',
      token: sent!.token,
      retried: false,
    })
    expect(next).toBeDefined()
    expect(of<UnauthorizedRetryEvent>(ApptokenChannels.unauthorizedRetry)).toEqual([
      { origin: api.url, claimsChallenge: false, tenantId: authority.tenantId, scopes: [API] },
    ])
    await provider.close()
  })
})
