import type { AxiosInstance } from 'axios'
import type { AxiosInstance as AxiosInstance18 } from 'axios18'
import { describe, expectTypeOf, it } from 'vitest'
import type { attachAppToken } from '../src/index.js'

// attachAppToken takes a structural axios instance; the real ones must fit it, oldest and newest.
type Instance = Parameters<typeof attachAppToken>[0]

describe('attachAppToken accepts the real axios instance types', () => {
  it('axios 1.8 (the oldest supported)', () => {
    expectTypeOf<AxiosInstance18>().toExtend<Instance>()
  })
  it('axios 1.x latest', () => {
    expectTypeOf<AxiosInstance>().toExtend<Instance>()
  })
  it('returns a detach function', () => {
    expectTypeOf<ReturnType<typeof attachAppToken>>().toExtend<() => void>()
  })
})
