import { describe, expect, it } from 'vitest'
import { issuedAuthorizations } from '../src/adapter.js'

const bearer = (token: string) => ({ header: `Bearer ${token}`, token })

describe('issuedAuthorizations', () => {
  it('finds what was sent by the header the request carries', () => {
    const issued = issuedAuthorizations()
    const first = issued.remember(bearer('one'))
    const second = issued.remember(bearer('two'))
    expect(issued.sentWith('Bearer one')).toBe(first)
    expect(issued.sentWith('Bearer two')).toBe(second)
  })

  it('never takes a header the caller set, or no header, for one of ours', () => {
    const issued = issuedAuthorizations()
    issued.remember(bearer('ours'))
    expect(issued.sentWith('Bearer theirs')).toBeUndefined()
    expect(issued.sentWith(undefined)).toBeUndefined()
    expect(issued.sentWith(['Bearer ours'])).toBeUndefined()
  })

  it('keeps the last 16, the newest use of a header counting as new', () => {
    const issued = issuedAuthorizations()
    const kept = issued.remember(bearer('t0'))
    for (let i = 1; i <= 15; i++) issued.remember(bearer(`t${i}`))
    issued.remember(kept) // used again: now the newest
    issued.remember(bearer('t16'))
    expect(issued.sentWith('Bearer t0')).toBe(kept)
    expect(issued.sentWith('Bearer t1')).toBeUndefined()
    expect(issued.sentWith('Bearer t16')).toBeDefined()
  })
})
