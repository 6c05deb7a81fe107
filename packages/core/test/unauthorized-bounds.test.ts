import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { createRequestAuthorizer } from '../src/adapter.js'
import type { Logger, TokenProvider } from '../src/index.js'
import { API, authority, fakeClock, providerFor } from './support.js'

const url = 'https://api.contoso.com/items'
let a: TestAuthority
const providers: TokenProvider[] = []
beforeAll(async () => (a = await authority()))
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
  a.reset()
})
afterAll(() => a.close())

function setup(options: Parameters<typeof providerFor>[1] = {}) {
  const lines: Record<string, unknown>[] = []
  const log = (fields: Record<string, unknown>) => void lines.push(fields)
  const logger: Logger = { debug: log, info: log, warn: log, error: log }
  const provider = providerFor(a, { logger, ...options })
  providers.push(provider)
  const auth = createRequestAuthorizer(provider, { scopes: API, origins: ['https://api.contoso.com'] }, { adapter: 'test' })
  return { auth, lines }
}
const claimsHeader = (n: number) => {
  const claims = JSON.stringify({ access_token: { nbf: { essential: true, value: String(1_700_000_000 + n) } } })
  return `Bearer error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"`
}

describe('a claims challenge apptoken cannot read', () => {
  it.each(['eyJ', '!!!', Buffer.from('[1,2]').toString('base64'), Buffer.from('{"a":').toString('base64')])(
    'hands the 401 to the caller as is (claims="%s")',
    async (claims) => {
      const { auth } = setup()
      const sent = await auth.authorize(url)
      const retry = await auth.onUnauthorized({
        url,
        wwwAuthenticate: `Bearer realm="", error="insufficient_claims", claims="${claims}"`,
        token: sent!.token,
        retried: false,
      })
      expect(retry).toBeUndefined()
      expect(a.tokenRequests()).toHaveLength(1)
    },
  )
})

describe('refresh abuse by an API that answers 401', () => {
  it('makes one token request for 20 concurrent 401s with distinct claims for one token', async () => {
    const { auth } = setup()
    const sent = await auth.authorize(url)
    const retries = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        auth.onUnauthorized({ url, wwwAuthenticate: claimsHeader(i), token: sent!.token, retried: false }),
      ),
    )
    expect(a.tokenRequests()).toHaveLength(2)
    expect(new Set(retries.map((r) => r?.token)).size).toBe(1)
    expect(retries[0]?.token).not.toBe(sent!.token)
  })

  it('allows at most 5 forced refreshes a minute per tenant+scopes, then hands the 401 to the caller', async () => {
    const { clock, advance } = fakeClock()
    const { auth, lines } = setup({ clock })
    let sent = (await auth.authorize(url))!
    const outcomes: boolean[] = []
    for (let call = 0; call < 8; call++) {
      const retry = await auth.onUnauthorized({ url, wwwAuthenticate: null, token: sent.token, retried: false })
      outcomes.push(retry !== undefined)
      if (retry) sent = retry
      advance(1_000)
    }
    expect(outcomes).toEqual([true, true, true, true, true, false, false, false])
    expect(a.tokenRequests()).toHaveLength(1 + 5)
    expect(lines.filter((l) => l.event === 'forced_refresh_limited')).toHaveLength(3)
    // A minute later the window has room again.
    advance(60_000)
    expect(await auth.onUnauthorized({ url, wwwAuthenticate: null, token: sent.token, retried: false })).toBeDefined()
    expect(a.tokenRequests()).toHaveLength(7)
  })

  it('does not limit plain forceRefresh calls that name no rejected token', async () => {
    const { auth } = setup()
    await auth.authorize(url)
    const provider = providers[0]!
    for (let i = 0; i < 8; i++) await provider.getToken(API, { forceRefresh: true })
    expect(a.tokenRequests()).toHaveLength(9)
  })

  it('uses a token that lives less than a minute, and logs it', async () => {
    const { auth, lines } = setup()
    a.failNext({ status: 200, body: JSON.stringify({ access_token: 'short.lived.token', token_type: 'Bearer', expires_in: 30 }) })
    expect((await auth.authorize(url))?.token).toBe('short.lived.token')
    expect(lines.some((l) => l.event === 'short_lived_token')).toBe(true)
  })
})
