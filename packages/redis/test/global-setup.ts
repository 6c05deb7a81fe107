import type { TestProject } from 'vitest/node'
import type { Endpoint } from './clients.js'
import { startRedisCluster } from './redis-cluster.js'
import { startRedisSentinel } from './redis-sentinel.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A Redis Cluster and a Sentinel group shared by the suites that do not break them. */
    sharedRedis: { cluster: Endpoint; sentinel: Endpoint }
  }
}

/**
 * Starts one Redis Cluster (3 primaries + 3 replicas) and one Sentinel group (1 primary, 1
 * replica, 3 sentinels) for the whole run; suites that kill nodes start their own. Both are
 * stopped when the run ends, whatever happened.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [cluster, sentinel] = await Promise.allSettled([startRedisCluster(), startRedisSentinel()])
  const stop = async () => {
    if (cluster.status === 'fulfilled') await cluster.value.stop()
    if (sentinel.status === 'fulfilled') await sentinel.value.stop()
  }
  if (cluster.status === 'rejected' || sentinel.status === 'rejected') {
    await stop()
    throw cluster.status === 'rejected' ? cluster.reason : (sentinel as PromiseRejectedResult).reason
  }
  project.provide('sharedRedis', {
    cluster: { topology: 'cluster', ports: cluster.value.ports },
    sentinel: {
      topology: 'sentinel',
      name: sentinel.value.name,
      sentinelPorts: sentinel.value.sentinelPorts,
    },
  })
  return stop
}
