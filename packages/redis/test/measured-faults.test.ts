import { afterAll, describe, expect, it } from 'vitest'
import type { Clock } from '@apptoken/core'
import { ask } from './admin.js'
import { CLIENT_KINDS } from './clients.js'
import { startFleet } from './fleet.js'
import { pollUntil } from './redis-server.js'
import { SCOPE } from './support.js'
import { startTcpProxy } from './tcp-proxy.js'
import { useTarget } from './topology.js'

/** How soon after a fault ends replicas must share tokens again. */
const RECOVERY_MS = 15_000
const rows: string[] = []

afterAll(() => {
  // The figures of packages/redis/README.md's faults table.
  console.log(
    [
      '[measured] faults',
      '| fault | client | caller errors | extra token requests | recovery |',
      ...rows,
    ].join('\n'),
  )
})

describe.each(CLIENT_KINDS)('measured faults, standalone (%s)', (kind) => {
  const suite = useTarget({ topology: 'standalone', kind })
  const port = () => suite.server.port

  /**
   * Four replicas call getToken in a loop (each 10th call a refresh after a 401) while `fault`
   * runs; then replicas 5 and 6 probe until sharing works again. Extra token requests are the
   * ones made without coordination (`fallbacks`) from the fault's start to recovery.
   */
  async function measure(
    name: string,
    fault: () => Promise<void>,
    options: Parameters<typeof startFleet>[2] = {},
  ) {
    const fleet = await startFleet(suite, 6, { commandTimeoutMs: 200, ...options })
    const [a, b] = fleet.replicas.slice(4) as [(typeof fleet.replicas)[0], (typeof fleet.replicas)[0]]
    await Promise.all(fleet.replicas.map((r) => r.provider.getToken(SCOPE)))
    const fallbacks = () => fleet.replicas.reduce((n, r) => n + r.cache.stats().fallbacks, 0)
    const load = fleet.load({ which: fleet.replicas.slice(0, 4) })
    const before = fallbacks()
    await fault()
    const endedAt = performance.now()
    let probeErrors = 0
    const recoveryMs = await pollUntil(
      `${name}: replicas share tokens again within ${RECOVERY_MS} ms`,
      () => fleet.sharesSince(a, b, endedAt).catch(() => (probeErrors++, false)),
      { withinMs: RECOVERY_MS, everyMs: 20 },
    )
    const { calls, errors } = await load.stop()
    const extra = fallbacks() - before
    rows.push(
      `| ${name} | ${kind} | ${errors.length + probeErrors} of ${calls} | ${extra} | ${Math.round(recoveryMs)} ms |`,
    )
    expect(errors).toEqual([])
    expect(probeErrors).toBe(0)
    return { extra, fleet }
  }

  it('Redis paused (DEBUG SLEEP 1 s) past the command timeout: no caller error, sharing back once it answers', async () => {
    const { extra } = await measure('Redis paused 1 s (DEBUG SLEEP), commandTimeoutMs 200', async () => {
      await ask(port(), 'DEBUG', 'SLEEP', '1')
    })
    expect(extra).toBeGreaterThan(0)
  })

  it('connections cut mid-command (a TCP proxy): no caller error, clients reconnect and share again', async () => {
    const proxy = await startTcpProxy(port())
    try {
      await measure(
        '10 connections cut mid-command (TCP proxy)',
        async () => {
          let timer: NodeJS.Timeout | undefined
          const bounded = new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error('fewer than 10 commands went through the proxy in 15 s')),
              15_000,
            )
          })
          await Promise.race([proxy.cutMidCommand(10), bounded]).finally(() => clearTimeout(timer))
        },
        { through: { topology: 'standalone', port: proxy.port } },
      )
    } finally {
      await proxy.close()
    }
  })

  it('maxmemory reached with noeviction (writes refused): no caller error, sharing back once memory is freed', async () => {
    try {
      const { extra } = await measure('maxmemory reached, noeviction (writes fail)', async () => {
        await ask(port(), 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction')
        await ask(port(), 'CONFIG', 'SET', 'maxmemory', '1')
        // Until the replicas have met refused writes a few times (bounded).
        const errors = () => suite.authority.tokenRequests().length
        const start = errors()
        await pollUntil('refreshes under maxmemory reach the authority', async () => errors() - start >= 5, {
          withinMs: 15_000,
          everyMs: 20,
        })
        await ask(port(), 'CONFIG', 'SET', 'maxmemory', '0')
      })
      expect(extra).toBeGreaterThan(0)
    } finally {
      await ask(port(), 'CONFIG', 'SET', 'maxmemory', '0')
    }
  })

  it("replicas' clocks 30 s ahead and behind (the cache's injected clock): one token request per refresh point", async () => {
    // Every replica's clock follows `base`, which the test moves; two run 30 s off.
    let base = 0
    const skewed = (offset: number): Clock => ({
      now: () => Date.now() + base + offset,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    })
    const fleet = await startFleet(suite, 4, {
      clocks: [skewed(30_000), skewed(-30_000), skewed(0), skewed(0)],
    })
    const tokenOf = async (i: number) => (await fleet.replicas[i]!.provider.getToken(SCOPE)).accessToken
    const cold = await Promise.all(fleet.replicas.map((r) => r.provider.getToken(SCOPE)))
    expect(suite.authority.tokenRequests()).toHaveLength(1)
    const refreshAt = cold[0]!.refreshAt

    // 15 s before the refresh point by the true clock: only the fast replica is past it; it
    // refreshes in the background (the others keep the first token).
    base = refreshAt - 15_000 - Date.now()
    await pollUntil('the fast replica refreshes', async () => (await tokenOf(0)) !== cold[0]!.accessToken)
    const refreshed = await tokenOf(0)
    // 31 s after it: every clock is past it, even the slow one; each finds the fast replica's
    // token in Redis, still fresh by its own clock.
    base = refreshAt + 31_000 - Date.now()
    await pollUntil('every replica holds the refreshed token', async () =>
      (await Promise.all([1, 2, 3].map(tokenOf))).every((t) => t === refreshed),
    )
    const tokens = await Promise.all(fleet.replicas.map((r) => r.provider.getToken(SCOPE)))
    const requests = suite.authority.tokenRequests().length
    const fallbacks = fleet.replicas.reduce((n, r) => n + r.cache.stats().fallbacks, 0)
    rows.push(`| replica clocks 30 s ahead / 30 s behind | ${kind} | 0 | ${requests - 2} | — |`)
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1)
    expect(requests).toBe(2)
    expect(fallbacks).toBe(0)
  })
})
