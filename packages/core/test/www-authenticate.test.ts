import { describe, expect, it } from 'vitest'
import { claimsFromChallenge, parseWwwAuthenticate } from '../src/adapter.js'

describe('parseWwwAuthenticate', () => {
  it('reads a CAE claims challenge', () => {
    const claims = Buffer.from('{"access_token":{"nbf":{"essential":true,"value":"1"}}}').toString('base64')
    const header = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${claims}"`
    expect(parseWwwAuthenticate(header)).toEqual([
      { scheme: 'bearer', params: { realm: '', authorization_uri: 'https://login.microsoftonline.com/common/oauth2/authorize', error: 'insufficient_claims', claims } },
    ])
    expect(claimsFromChallenge(header)).toBe('{"access_token":{"nbf":{"essential":true,"value":"1"}}}')
  })

  it('handles several challenges, commas and escaped quotes inside quoted strings, and token68', () => {
    const header = 'Basic realm="a, b", Bearer error="invalid_token", error_description="say \\"hi\\", then go",Negotiate abc123=='
    expect(parseWwwAuthenticate(header)).toEqual([
      { scheme: 'basic', params: { realm: 'a, b' } },
      { scheme: 'bearer', params: { error: 'invalid_token', error_description: 'say "hi", then go' } },
      { scheme: 'negotiate', params: { '': 'abc123' } },
    ])
  })

  it('reads unquoted values and bare schemes', () => {
    expect(parseWwwAuthenticate('Bearer')).toEqual([{ scheme: 'bearer', params: {} }])
    expect(parseWwwAuthenticate('Bearer error=invalid_token, realm=api')).toEqual([{ scheme: 'bearer', params: { error: 'invalid_token', realm: 'api' } }])
  })

  it('finds no claims in other challenges', () => {
    expect(claimsFromChallenge('Bearer error="invalid_token"')).toBeUndefined()
    expect(claimsFromChallenge(undefined)).toBeUndefined()
    expect(claimsFromChallenge('Bearer error="insufficient_claims", claims="bm90IGpzb24="')).toBeUndefined()
  })
})
