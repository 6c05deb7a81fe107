import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReplicas, type ReplicaGroup } from './replicas.js'
import { pollUntil } from './redis-server.ts'
import { CURRENT_TARGETS, label, useTarget } from './topology.js'
import type { RedisCacheStats } from '../src/index.js'

// Threads each loading a Redis client take a while to start on a small, busy CI machine.
const STARTUP_MS = 180_000

describe.each(CURRENT_TARGETS.map((t) => [label(t), t] as const))(
  'replicas in worker threads (%s)',
  (_, target) => {
    const suite = useTarget(target)
    let group: ReplicaGroup

    beforeAll(async () => {
      group = await startReplicas(
        20,
        {
          kind: target.kind,
          endpoint: suite.endpoint,
          keyPrefix: suite.prefix,
          authorityHost: suite.authority.authorityHost,
          tenantId: suite.authority.tenantId,
          clientId: suite.authority.clientId,
          clientSecret: suite.authority.clientSecret,
          // Generous, so a CPU-starved CI machine does not turn slowness into expired locks and
          // fallbacks; a dead holder is still replaced within a second.
          lockTtlMs: 1_000,
          commandTimeoutMs: 5_000,
        },
        { perThread: 5 },
      )
    }, STARTUP_MS)
    afterAll(async () => {
      await group?.close()
    }, STARTUP_MS)

    it('20 cold replicas asking at once make one token request, and one more at refresh time', async () => {
      const scope = 'api://cold-start/.default'
      const cold = await group.getTokenAtOnce({ scope })
      expect(suite.authority.tokenRequests({ scope })).toHaveLength(1)
      expect(sum(cold, 'fetches')).toBe(1)
      expect(sum(cold, 'fallbacks')).toBe(0)
      const first = cold[0]!.accessToken
      expect(cold.every((r) => r.accessToken === first)).toBe(true)

      // 56 minutes later every replica is past refreshAt (55 min for a 1 h token): each serves its
      // cached token at once and refreshes in the background; one of them asks the authority.
      const refresh = await group.getTokenAtOnce({ scope, advanceMs: 56 * 60_000, awaitRefresh: true })
      expect(suite.authority.tokenRequests({ scope })).toHaveLength(2)
      expect(sum(refresh, 'fetches')).toBe(2)
      expect(sum(refresh, 'fallbacks')).toBe(0)
      expect(refresh.every((r) => r.accessToken === first && r.fromCache)).toBe(true)
      const second = refresh[0]!.refreshedTo
      expect(second).toBeDefined()
      expect(second).not.toBe(first)
      expect(refresh.every((r) => r.refreshedTo === second)).toBe(true)
      expect(suite.authority.tokenRequests({ scope }).every((r) => r.status === 200)).toBe(true)
    })

    it('replaces a lock holder killed mid-request once its lock expires; no caller fails', async () => {
      const scope = 'api://killed-holder/.default'
      // Replicas 0-4 share a thread: the holder's crash takes them down too; 5-9 live on.
      const holder = group.replicas[0]!
      const others = group.replicas.slice(5, 10)
      // The holder's token request hangs at the authority until after the test.
      suite.authority.failNext({ delayMs: 60_000 })
      const fetching = holder.nextFetching()
      const holderCall = group.getTokenAtOnce({ scope }, [holder]).catch((error: unknown) => error)
      await fetching
      // Kill it only once its request reached the authority (and took the delay).
      await pollUntil(
        "the holder's token request reaches the authority",
        async () => suite.authority.tokenRequests({ scope })[0]?.clientId !== undefined,
        { withinMs: 15_000, everyMs: 10 },
      )
      expect(await suite.lockKeys()).toHaveLength(1)

      const waiting = group.getTokenAtOnce({ scope }, others)
      const killedAt = performance.now()
      await holder.kill()
      const results = await waiting
      const recoveryMs = performance.now() - killedAt

      expect(await holderCall).toBeInstanceOf(Error)
      const token = results[0]!.accessToken
      expect(results.every((r) => r.accessToken === token)).toBe(true)
      // The abandoned request, and the one made by the replica that took over.
      const requests = suite.authority.tokenRequests({ scope })
      expect(requests).toHaveLength(2)
      expect(requests[1]!.status).toBe(200)
      console.log(
        `[measured] lock holder killed (${label(target)}, lockTtlMs 1000): 0 caller errors of ${results.length}, ` +
          `1 extra token request, every waiting replica served ${Math.round(recoveryMs)} ms after the kill`,
      )
    })
  },
)

describe('100 replicas on one Redis Cluster (node-redis)', () => {
  const suite = useTarget({ topology: 'cluster', kind: 'node-redis' })
  let group: ReplicaGroup

  beforeAll(async () => {
    group = await startReplicas(
      100,
      {
        kind: 'node-redis',
        endpoint: suite.endpoint,
        keyPrefix: suite.prefix,
        authorityHost: suite.authority.authorityHost,
        tenantId: suite.authority.tenantId,
        clientId: suite.authority.clientId,
        clientSecret: suite.authority.clientSecret,
        // A hundred replicas on a starved 2-core machine: a live holder's thread can go seconds
        // without running, so the lock outlives that (a dead holder is tested above).
        lockTtlMs: 15_000,
        commandTimeoutMs: 5_000,
      },
      { perThread: 10 },
    )
  }, STARTUP_MS)
  afterAll(async () => {
    await group?.close()
  }, STARTUP_MS)

  it('100 cold replicas asking at once make one token request, and one more at the refresh point', async () => {
    const scope = 'api://hundred/.default'
    const cold = await group.getTokenAtOnce({ scope })
    expect(cold).toHaveLength(100)
    expect({
      requests: suite.authority.tokenRequests({ scope }).length,
      fetches: sum(cold, 'fetches'),
      fallbacks: sum(cold, 'fallbacks'),
      errors: sum(cold, 'errors'),
    }).toEqual({ requests: 1, fetches: 1, fallbacks: 0, errors: 0 })
    expect(new Set(cold.map((r) => r.accessToken)).size).toBe(1)

    const refresh = await group.getTokenAtOnce({ scope, advanceMs: 56 * 60_000, awaitRefresh: true })
    const delta = (counter: keyof RedisCacheStats) => sum(refresh, counter) - sum(cold, counter)
    expect({
      requests: suite.authority.tokenRequests({ scope }).length,
      fetches: delta('fetches'),
      fallbacks: delta('fallbacks'),
      errors: delta('errors'),
    }).toEqual({ requests: 2, fetches: 1, fallbacks: 0, errors: 0 })
    expect(new Set(refresh.map((r) => r.refreshedTo)).size).toBe(1)
  })
})

/** Sums a cache counter over every replica (stats are cumulative per replica). */
function sum(results: { cache: RedisCacheStats }[], counter: keyof RedisCacheStats): number {
  return results.reduce((total, r) => total + r.cache[counter], 0)
}
