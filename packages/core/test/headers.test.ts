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
})
