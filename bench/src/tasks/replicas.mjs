/**
 * Child task: `count` replicas of a daemon go cold at the same instant and each needs a token.
 *
 * apptoken: each replica has its own Redis client (node-redis), `redisCache` and token provider,
 * in worker threads (10 replicas a thread, so 100 of them start on a 2-CPU machine), released at
 * once by a shared-memory barrier (packages/redis/test/replicas.ts, the same fixture the package's
 * tests use). msal-node: `count` ConfidentialClientApplications, one per replica, each with its
 * own in-memory cache, as msal-node has no shared cache with a distributed lock; they run in this
 * process, which changes nothing about the requests they send.
 *
 * Measured per repeat (a new scope each time, so every repeat is cold): token requests the
 * authority saw, and the wall time from the release until every replica holds a token.
 */
import { performance } from 'node:perf_hooks'
import { SCOPE } from '../config.mjs'

export async function replicas({ contender, count, env, endpoint, repeats }, rpc) {
  const runs = []
  if (contender === 'msal') {
    const { ConfidentialClientApplication } = await import('@azure/msal-node')
    for (let rep = 0; rep < repeats; rep++) {
      const apps = Array.from(
        { length: count },
        () =>
          new ConfidentialClientApplication({
            auth: {
              clientId: env.clientId,
              clientSecret: env.clientSecret,
              authority: `${env.authorityHost}/${env.tenantId}`,
              knownAuthorities: [new URL(env.authorityHost).host],
              authorityMetadata: env.authorityMetadata,
              cloudDiscoveryMetadata: env.cloudDiscoveryMetadata,
            },
          }),
      )
      const before = await rpc('tokenRequests')
      const start = performance.now()
      const tokens = await Promise.all(
        apps.map((cca) => cca.acquireTokenByClientCredential({ scopes: [SCOPE] })),
      )
      const wallMs = performance.now() - start
      runs.push({
        tokenRequests: (await rpc('tokenRequests')) - before,
        wallMs,
        holders: tokens.filter((t) => t?.accessToken).length,
      })
    }
    return { runs }
  }

  const { startReplicas } = await import('../../../packages/redis/test/replicas.ts')
  const group = await startReplicas(
    count,
    {
      kind: 'node-redis',
      endpoint,
      keyPrefix: `bench:${process.pid}:`,
      authorityHost: env.authorityHost,
      tenantId: env.tenantId,
      clientId: env.clientId,
      clientSecret: env.clientSecret,
      lockTtlMs: 10_000,
      commandTimeoutMs: 5_000,
    },
    { perThread: 10 },
  )
  try {
    for (let rep = 0; rep < repeats; rep++) {
      const scope = `api://bench-replicas-${rep}/.default`
      const before = await rpc('tokenRequests')
      const start = performance.now()
      const results = await group.getTokenAtOnce({ scope })
      const wallMs = performance.now() - start
      runs.push({
        tokenRequests: (await rpc('tokenRequests')) - before,
        wallMs,
        holders: results.filter((r) => r.accessToken === results[0].accessToken).length,
        fallbacks: results.reduce((n, r) => n + r.cache.fallbacks, 0),
      })
    }
  } finally {
    await group.close()
  }
  return { runs }
}
