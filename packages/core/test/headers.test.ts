import { describe, expect, it } from 'vitest'
import { setAuthorization } from '../src/adapter.js'

describe('setAuthorization', () => {
  it('sets the header and a DPoP proof beside it on a Headers, in place', () => {
    const headers = new Headers({ Authorization: 'Basic x', accept: 'application/json' })
    expect(setAuthorization(headers, 'DPoP eyJ', { dpop: 'proof' })).toBe(headers)
    expect([...headers]).toEqual([
      ['accept', 'application/json'],
      ['authorization', 'DPoP eyJ'],
      ['dpop', 'proof'],
    ])
  })

  it('copies a record, replacing every spelling of Authorization, and removes it for undefined', () => {
    const given = { authorization: 'Basic x', AUTHORIZATION: 'Basic y', accept: 'application/json' }
    expect(setAuthorization(given, 'Bearer eyJ', { dpop: 'proof' })).toEqual({
      accept: 'application/json',
      Authorization: 'Bearer eyJ',
      dpop: 'proof',
    })
    expect(setAuthorization(given, undefined)).toEqual({ accept: 'application/json' })
    expect(given.authorization).toBe('Basic x')
  })
  it('copies undici’s flat list and any iterable of pairs, dropping unset headers and other spellings of the extra ones', () => {
    const flat = [
      'Accept',
      'application/json',
      'DPoP',
      'stale',
      'x-skip',
      undefined,
      'authorization',
      'Basic x',
    ]
    expect(setAuthorization(flat as never, 'DPoP eyJ', { dpop: 'proof' })).toEqual({
      Accept: 'application/json',
      Authorization: 'DPoP eyJ',
      dpop: 'proof',
    })
    const pairs = new Map<string, string | null>([
      ['accept', '*/*'],
      ['x-null', null],
      ['Authorization', 'Basic x'],
    ])
    expect(setAuthorization(pairs, 'Bearer eyJ')).toEqual({ accept: '*/*', Authorization: 'Bearer eyJ' })
    expect(setAuthorization([['accept', '*/*']], 'Bearer eyJ')).toEqual({
      accept: '*/*',
      Authorization: 'Bearer eyJ',
    })
  })
})
