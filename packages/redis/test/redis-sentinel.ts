import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ask, fields } from './admin.ts'
import { freePort, kill, launch, pollUntil, removeDir, tempDir } from './redis-server.ts'

/** The name the sentinels monitor the primary under. */
export const SENTINEL_NAME = 'apptoken'
/** How long the primary may be unreachable before it counts as down (production: 30 s). */
export const DOWN_AFTER_MS = 1_000

/** A local Sentinel group: 1 primary, 1 replica and 3 sentinels (quorum 2), on loopback ports. */
export interface RedisSentinelGroup {
  readonly name: string
  readonly sentinelPorts: number[]
  /** The primary's port now, as the sentinels report it. */
  primary(): Promise<number>
  /**
   * Kills the primary (SIGKILL: a crash) and waits until the sentinels have promoted the replica
   * (every sentinel names it, and it reports ROLE master). Resolves with the time that took (ms).
   */
  killPrimary(): Promise<{ failoverMs: number; promoted: number }>
  stop(): Promise<void>
}

async function masterAddress(sentinelPort: number): Promise<number> {
  const reply = (await ask(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME)) as string[]
  return Number(reply[1])
}

/**
 * Starts a primary, a replica of it and 3 sentinels (`redis-server <conf> --sentinel`) with short
 * failure detection (down after 1 s, failover timeout 3 s), and waits until the replica is in sync
 * and every sentinel knows the replica and both other sentinels. Anything started is stopped if a
 * later step fails.
 */
export async function startRedisSentinel(): Promise<RedisSentinelGroup> {
  const dir = tempDir('sentinel')
  const servers = new Map<number, ChildProcess>()
  const stop = async () => {
    await Promise.all([...servers.values()].map((child) => kill(child)))
    removeDir(dir)
  }
  const primaryPort = await freePort()
  const replicaPort = await freePort()
  const sentinelPorts = [await freePort(), await freePort(), await freePort()]
  try {
    servers.set(primaryPort, await launch(primaryPort, ['--dir', dir]))
    servers.set(
      replicaPort,
      await launch(replicaPort, ['--dir', dir, '--replicaof', '127.0.0.1', String(primaryPort)]),
    )
    await pollUntil(
      'the sentinel replica is in sync with its primary',
      async () => fields(await ask(replicaPort, 'INFO', 'replication')).get('master_link_status') === 'up',
    )
    // Each sentinel is told its own id, the replica and the other sentinels up front, so the
    // group is complete at once instead of after a few rounds of hello messages.
    const ids = sentinelPorts.map(() => randomBytes(20).toString('hex'))
    await Promise.all(
      sentinelPorts.map(async (port, i) => {
        // A sentinel rewrites its own config file, so each gets one in the temp directory.
        const config = join(dir, `sentinel-${port}.conf`)
        writeFileSync(
          config,
          [
            `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${primaryPort} 2`,
            `sentinel down-after-milliseconds ${SENTINEL_NAME} ${DOWN_AFTER_MS}`,
            `sentinel failover-timeout ${SENTINEL_NAME} 3000`,
            `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
            `sentinel myid ${ids[i]}`,
            `sentinel known-replica ${SENTINEL_NAME} 127.0.0.1 ${replicaPort}`,
            ...sentinelPorts
              .map((other, j) => `sentinel known-sentinel ${SENTINEL_NAME} 127.0.0.1 ${other} ${ids[j]}`)
              .filter((_, j) => j !== i),
            '',
          ].join('\n'),
        )
        servers.set(port, await launch(port, ['--dir', dir, '--sentinel'], config))
      }),
    )
    await pollUntil('every sentinel knows the replica and both other sentinels', async () => {
      const views = await Promise.all(
        sentinelPorts.map(async (port) => {
          const replicas = (await ask(port, 'SENTINEL', 'REPLICAS', SENTINEL_NAME)) as unknown[]
          const sentinels = (await ask(port, 'SENTINEL', 'SENTINELS', SENTINEL_NAME)) as unknown[]
          return replicas.length === 1 && sentinels.length === 2
        }),
      )
      return views.every(Boolean)
    })
  } catch (error) {
    await stop()
    throw error
  }

  let current = primaryPort
  let replica: number | undefined = replicaPort
  return {
    name: SENTINEL_NAME,
    sentinelPorts,
    primary: () => masterAddress(sentinelPorts[0]!),
    async killPrimary() {
      if (replica === undefined) throw new Error('the sentinel group has no replica left to promote')
      const promoted = replica
      const start = performance.now()
      await kill(servers.get(current))
      servers.delete(current)
      await pollUntil(`the sentinels promote the replica on port ${promoted}`, async () => {
        const named = await Promise.all(sentinelPorts.map(masterAddress))
        const role = (await ask(promoted, 'ROLE')) as unknown[]
        return named.every((port) => port === promoted) && role[0] === 'master'
      })
      current = promoted
      replica = undefined
      return { failoverMs: performance.now() - start, promoted }
    },
    stop,
  }
}
