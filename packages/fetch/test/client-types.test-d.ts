import type { Dispatcher } from 'undici'
import type { Dispatcher as Dispatcher7 } from 'undici7'
import { describe, expectTypeOf, it } from 'vitest'
import type { appTokenInterceptor, withAppToken } from '../src/index.js'

// The interceptor is typed structurally (undici is a peer); Dispatcher.compose() must take it.
type Interceptor = ReturnType<typeof appTokenInterceptor>

describe('appTokenInterceptor fits the real undici types', () => {
  it('undici 7.16 (the oldest supported)', () => {
    expectTypeOf<Interceptor>().toExtend<Dispatcher7.DispatcherComposeInterceptor>()
    expectTypeOf<Dispatcher7['compose']>().toBeCallableWith(null as unknown as Interceptor)
  })
  it('undici 8 (the newest)', () => {
    expectTypeOf<Interceptor>().toExtend<Dispatcher.DispatcherComposeInterceptor>()
    expectTypeOf<Dispatcher['compose']>().toBeCallableWith(null as unknown as Interceptor)
  })
})

describe('withAppToken keeps the type of the fetch it wraps', () => {
  it('global fetch', () => {
    expectTypeOf<ReturnType<typeof withAppToken<typeof fetch>>>().toEqualTypeOf<typeof fetch>()
  })
})
