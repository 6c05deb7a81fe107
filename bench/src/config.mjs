/** What every measurement shares: the scope, the tenants, and how much work each mode does. */

/** The protected API of `@apptoken/testing`; its default client holds roles for it. */
export const SCOPE = 'api://apptoken-test-api/.default'

/** Tenant GUIDs the authority knows, the same for every contender. */
export function tenantIds(count) {
  return Array.from(
    { length: count },
    (_, i) => `b0000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
  )
}

/** Work per mode. `--quick` keeps the whole run under a minute. */
export function modeSettings(quick) {
  return quick
    ? {
        tenantCounts: [1, 10, 100, 1_000],
        heapTenants: 1_000,
        settleMs: 0,
        repeats: () => 1,
        batchMs: 15,
        batches: 5,
        warmupMs: 30,
        fillConcurrency: 64,
        coldCalls: 1_000,
        coldRepeats: 1,
        importRepeats: 5,
        throughput: {
          repeats: 1,
          warmupMs: 300,
          pairs: 3,
          sequentialBlock: 50,
          concurrentBlock: 250,
          concurrency: 50,
        },
        stormRepeats: 1,
        stormConcurrency: 50,
        replicaCounts: [1, 10],
        replicaRepeats: 1,
        install: false,
      }
    : {
        tenantCounts: [1, 10, 100, 1_000, 10_000],
        heapTenants: 10_000,
        settleMs: 11_000,
        repeats: (tenants) => (tenants >= 10_000 ? 3 : 5),
        batchMs: 100,
        batches: 9,
        warmupMs: 300,
        fillConcurrency: 64,
        coldCalls: 1_000,
        coldRepeats: 3,
        importRepeats: 21,
        throughput: {
          // Per process the ratio of two identical clients lands anywhere in about ±2.5 % (JIT and
          // layout luck), so the median is taken over 5 processes.
          repeats: 5,
          warmupMs: 2_000,
          // Many short adjacent pairs: a pause of a few ms (GC, a neighbour) spoils one pair, not the median.
          pairs: 60,
          sequentialBlock: 50,
          concurrentBlock: 250,
          concurrency: 50,
        },
        stormRepeats: 3,
        stormConcurrency: 50,
        replicaCounts: [1, 10, 100],
        replicaRepeats: 3,
        install: true,
      }
}

/** The contenders of the token benchmarks, in table order. */
export const CONTENDERS = ['floor', 'apptoken', 'msal', 'identity']

/** The HTTP clients of the throughput benchmark and the adapter package of each. */
export const CLIENTS = {
  axios: '@apptoken/axios',
  ky: '@apptoken/ky',
  got: '@apptoken/got',
  fetch: '@apptoken/fetch',
  undici: '@apptoken/fetch',
  // ky's own hook machinery costs ~10 %: the adapter is also measured against no-op hooks of the same kinds.
  'ky (vs no-op hooks)': '@apptoken/ky',
  // got with an empty handler and empty hooks of the adapter's kinds (which a plain GET never runs), for information.
  'got (vs no-op hooks)': '@apptoken/got',
  // The same static-header axios client on both sides: the noise floor of this run's ratios.
  'axios A/A (static vs static)': '@apptoken/axios',
}
