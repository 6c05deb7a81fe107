import { describe, expect, it } from 'vitest'
import { parseJsonWithComments } from '../src/index.js'

describe('parseJsonWithComments', () => {
  it('allows comments and trailing commas, and leaves strings alone', () => {
    const text = '{\n // a comment\n "a": "x // not a comment, }", /* block */ "b": [1, 2,],\n}'
    expect(parseJsonWithComments(text)).toEqual({ a: 'x // not a comment, }', b: [1, 2] })
  })
})
