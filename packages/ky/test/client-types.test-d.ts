import type { Options } from 'ky'
import type { Options as Options1 } from 'ky1'
import { describe, expectTypeOf, it } from 'vitest'
import type { appToken } from '../src/index.js'

// appToken returns ky options made of structural hook types; the real ky options must take them.
type Hooks = ReturnType<typeof appToken>

describe("appToken's hooks fit the real ky option types", () => {
  it('ky 1.14 (the oldest supported)', () => {
    expectTypeOf<Hooks>().toExtend<Options1>()
  })
  it('ky 2 (the newest)', () => {
    expectTypeOf<Hooks>().toExtend<Options>()
  })
})
