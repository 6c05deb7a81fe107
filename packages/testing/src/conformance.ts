/**
 * `@apptoken/testing/conformance`: the suites an adapter (for another HTTP client) or a token
 * cache (DynamoDB, Postgres, ...) runs to show it keeps apptoken's promises.
 *
 * @packageDocumentation
 */
export { adapterConformance } from './conformance/adapter-suite.js'
export type {
  AdapterUnderTest,
  ClientSetup,
  ConformanceClient,
  ConformanceRequest,
  ConformanceResponse,
} from './conformance/adapter-types.js'
export { cacheConformance } from './conformance/cache-suite.js'
export type { CacheUnderTest, ConformanceCache, ConformanceCachedToken } from './conformance/cache-types.js'
export type { ConformanceCore, ConformanceProvider, ConformanceRunner } from './conformance/runner.js'
export { dpopConformance } from './conformance/dpop-suite.js'
export type { DpopAdapterUnderTest, DpopProvider, DpopSend } from './conformance/dpop-suite.js'
