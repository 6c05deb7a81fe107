import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestAuthority } from '@apptoken/testing'
import { createRequestAuthorizer, isLoopbackHost, resolveOrigins } from '../src/adapter.js'
import type { TokenProvider } from '../src/index.js'
import { API, authority, providerFor } from './support.js'

let a: TestAuthority
let provider: TokenProvider
beforeAll(async () => {
  a = await authority()
  provider = providerFor(a)
})
afterAll(async () => {
  await provider.close()
  await a.close()
})

const ALLOWED = ['https://api.contoso.com', 'http://127.0.0.1:8080', 'https://[::1]:8443']

// Pieces an attacker would combine: schemes, slashes and backslashes, userinfo, look-alike hosts,
// ports, whitespace and control characters, percent-encoding, IPv6, paths that carry a host.
const piece = fc.constantFrom(
  'https:', 'http:', 'HTTPS:', 'ws:', 'file:', '//', '/', '\\', '\\\\', '/\\', ':', '@', '?', '#', '.', '%2e', '%40', '%2f',
  ' ', '\t', '\n', '\r', '\u0000', 'api.contoso.com', 'API.CONTOSO.COM', 'api.contoso.com.evil.example', 'evil.example',
  'contoso.com', '127.0.0.1', '127.0.0.2', 'localhost', 'evil.localhost', '[::1]', '[::ffff:127.0.0.1]', '0x7f.1',
  ':443', ':8080', ':8443', ':80', 'user:pass@', 'api.contoso.com@', 'x', '..', '%', '%00',
)
const spelling = fc.oneof(
  fc.array(piece, { minLength: 1, maxLength: 8 }).map((p) => p.join('')),
  fc.tuple(fc.constantFrom(...ALLOWED), fc.array(piece, { maxLength: 6 })).map(([o, p]) => o + p.join('')),
  fc.string({ maxLength: 40 }),
)

describe('isAllowed', () => {
  const auth = () => createRequestAuthorizer(provider, { scopes: API, origins: ALLOWED }, { adapter: 'property' })

  it('never allows a URL whose real destination (WHATWG parse, as fetch/undici/axios do) is not an allowed secure origin', () => {
    const authorizer = auth()
    const allowed = new Set(ALLOWED.map((o) => new URL(o).origin))
    fc.assert(
      fc.property(spelling, (s) => {
        if (!authorizer.isAllowed(s)) return
        const real = URL.parse(s)
        expect(real).not.toBeNull()
        expect(allowed.has(real!.origin)).toBe(true)
        expect(real!.protocol === 'https:' || isLoopbackHost(real!.hostname)).toBe(true)
      }),
      { numRuns: 5000 },
    )
  })

  it('gives the same answer for a string and its parsed URL', () => {
    const authorizer = auth()
    fc.assert(
      fc.property(spelling, (s) => {
        const u = URL.parse(s)
        if (u !== null) expect(authorizer.isAllowed(u)).toBe(authorizer.isAllowed(s))
      }),
      { numRuns: 3000 },
    )
  })
})

describe('loopback', () => {
  it('is only localhost, 127.0.0.0/8 and [::1]; *.localhost names are not', () => {
    expect(isLoopbackHost('localhost')).toBe(true)
    expect(isLoopbackHost('127.1.2.3')).toBe(true)
    expect(isLoopbackHost('[::1]')).toBe(true)
    for (const host of ['evil.localhost', 'a.b.localhost', 'localhost.evil.example', '128.0.0.1']) expect(isLoopbackHost(host)).toBe(false)
    expect(() => resolveOrigins(['http://evil.localhost:3000'], undefined, 'test')).toThrow(/plain http/)
    expect(() => providerFor(a, { authorityHost: 'http://evil.localhost:3000' })).toThrow(/authorityHost/)
  })
})
