import type { ExtendOptions } from 'got'
import type { ExtendOptions as ExtendOptions14 } from 'got14'
import type { ExtendOptions as ExtendOptions15 } from 'got15'
import { describe, expectTypeOf, it } from 'vitest'
import type { appToken } from '../src/index.js'

// appToken returns a got extension made of structural hook types; got.extend() must take it.
type Extension = ReturnType<typeof appToken>

describe("appToken's extension fits the real got types", () => {
  it('got 14.4 (the oldest supported)', () => {
    expectTypeOf<Extension>().toExtend<ExtendOptions14>()
  })
  it('got 15', () => {
    expectTypeOf<Extension>().toExtend<ExtendOptions15>()
  })
  it('got 16 (the newest)', () => {
    expectTypeOf<Extension>().toExtend<ExtendOptions>()
  })
})
