import { afterAll, beforeAll, describe, it } from 'vitest'
import * as core from '../src/index.js'
import { cacheConformance } from '@apptoken/testing/conformance'

cacheConformance({ name: 'memoryCache', core, createCache: () => core.memoryCache({ maxEntries: 100 }) }, { describe, it, beforeAll, afterAll })
