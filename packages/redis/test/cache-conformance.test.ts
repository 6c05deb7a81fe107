import { afterAll, beforeAll, describe, it } from 'vitest'
import * as core from '@apptoken/core'
import { cacheConformance } from '@apptoken/testing/conformance'
import { CURRENT_TARGETS, label, useTarget } from './topology.js'

// The semantics every TokenCache owes apptoken, on each topology with the current client majors.
describe.each(CURRENT_TARGETS.map((t) => [label(t), t] as const))('redisCache (%s)', (name, target) => {
  const suite = useTarget(target)
  cacheConformance(
    { name: `redisCache, ${name}`, core, createCache: () => suite.cache({ encryptionKey: 'a'.repeat(64) }) },
    { describe, it, beforeAll, afterAll },
  )
})
