import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAuthority, type TestAuthority } from '@apptoken/testing'
import { CLIENT_KINDS, connectClient, type TestClient } from './clients.js'
import { startRedisServer, type RedisServer } from './redis-server.js'
import { startReplicas, type ReplicaGroup } from './replicas.js'
import { until } from './support.js'
import type { RedisCacheStats } from '../src/index.js'

// Twenty threads each loading a Redis client take a while to start on a small CI machine.
const STARTUP_MS = 180_000

describe.each(CLIENT_KINDS)('replicas in worker threads (%s)', (kind) => {
  let server: RedisServer
  let raw: TestClient
  let authority: TestAuthority
  let group: ReplicaGroup

  beforeAll(async () => {
    server = await startRedisServer()
    raw = await connectClient(kind, server.port)
    authority = await startTestAuthority()
    group = await startReplicas(20, {
      kind,
      redisPort: server.port,
      authorityHost: authority.authorityHost,
      tenantId: authority.tenantId,
      clientId: authority.clientId,
      clientSecret: authority.clientSecret,
      // Generous, so a CPU-starved CI machine does not turn slowness into expired locks and
      // fallbacks; a dead holder is still replaced within a second.
      lockTtlMs: 1_000,
      commandTimeoutMs: 5_000,
    })
  }, STARTUP_MS)
  afterAll(async () => {
    await group?.close()
    await raw?.close()
    await authority?.close()
    await server?.stop()
  }, STARTUP_MS)

  it('20 cold replicas asking at once make one token request, and one more at refresh time', async () => {
    const scope = 'api://cold-start/.default'
    const cold = await group.getTokenAtOnce({ scope })
    expect(authority.tokenRequests({ scope })).toHaveLength(1)
    expect(sum(cold, 'fetches')).toBe(1)
    expect(sum(cold, 'fallbacks')).toBe(0)
    const first = cold[0]!.accessToken
    expect(cold.every((r) => r.accessToken === first)).toBe(true)

    // 56 minutes later every replica is past refreshAt (55 min for a 1 h token): each serves its
    // cached token at once and refreshes in the background; one of them asks the authority.
    const refresh = await group.getTokenAtOnce({ scope, advanceMs: 56 * 60_000, awaitRefresh: true })
    expect(authority.tokenRequests({ scope })).toHaveLength(2)
    expect(sum(refresh, 'fetches')).toBe(2)
    expect(sum(refresh, 'fallbacks')).toBe(0)
    expect(refresh.every((r) => r.accessToken === first && r.fromCache)).toBe(true)
    const second = refresh[0]!.refreshedTo
    expect(second).toBeDefined()
    expect(second).not.toBe(first)
    expect(refresh.every((r) => r.refreshedTo === second)).toBe(true)
    expect(authority.tokenRequests({ scope }).every((r) => r.status === 200)).toBe(true)
  })

  it('replaces a lock holder killed mid-request once its lock expires; no caller fails', async () => {
    const scope = 'api://killed-holder/.default'
    const [holder, ...others] = group.replicas.slice(0, 5) as [
      ReplicaGroup['replicas'][0],
      ...ReplicaGroup['replicas'],
    ]
    // The holder's token request hangs at the authority until after the test.
    authority.failNext({ delayMs: 60_000 })
    const fetching = holder.nextFetching()
    const holderCall = group.getTokenAtOnce({ scope }, [holder]).catch((error: unknown) => error)
    await fetching
    // Kill it only once its request reached the authority (and took the delay).
    await until(() => authority.tokenRequests({ scope })[0]?.clientId !== undefined)
    expect(await lockKeys(raw)).toHaveLength(1)

    const waiting = group.getTokenAtOnce({ scope }, others)
    await holder.kill()
    const results = await waiting

    expect(await holderCall).toBeInstanceOf(Error)
    const token = results[0]!.accessToken
    expect(results.every((r) => r.accessToken === token)).toBe(true)
    // The abandoned request, and the one made by the replica that took over.
    const requests = authority.tokenRequests({ scope })
    expect(requests).toHaveLength(2)
    expect(requests[1]!.status).toBe(200)
  })
})

async function lockKeys(client: TestClient): Promise<string[]> {
  return ((await client.command('KEYS', 'apptoken:*')) as string[]).filter((k) => k.endsWith(':lock'))
}

/** Sums a cache counter over every replica (stats are cumulative per replica). */
function sum(results: { cache: RedisCacheStats }[], counter: keyof RedisCacheStats): number {
  return results.reduce((total, r) => total + r.cache[counter], 0)
}
