import type { ChildProcess } from 'node:child_process'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ask, fields } from './admin.ts'
import { freePort, kill, launch, pollUntil, removeDir, tempDir } from './redis-server.ts'

const run = promisify(execFile)
const CLI = process.env.REDIS_CLI ?? 'redis-cli'

/** How long a node may be unreachable before the cluster fails it over (production: 15 s). */
export const CLUSTER_NODE_TIMEOUT_MS = 1_000

interface Node {
  readonly port: number
  child: ChildProcess | undefined
}

/** A local Redis Cluster: 3 primaries, each with one replica, on loopback ports. */
export interface RedisCluster {
  /** Every node's port (root nodes for a client). */
  readonly ports: number[]
  /** Ports of the nodes that are primaries now, as the cluster itself reports them. */
  primaries(): Promise<number[]>
  /** The port of the primary that serves `key`'s hash slot now. */
  primaryFor(key: string): Promise<number>
  /**
   * Kills the node on `port` (SIGKILL: a crash) and waits until its replica is promoted and the
   * cluster reports `cluster_state:ok` on every live node. Resolves with the time that took (ms).
   */
  killPrimary(port: number): Promise<{ failoverMs: number; promoted: number }>
  /** Stops every node and removes the state directory. */
  stop(): Promise<void>
}

async function clusterOk(port: number, nodes: number): Promise<boolean> {
  const info = fields(await ask(port, 'CLUSTER', 'INFO'))
  return (
    info.get('cluster_state') === 'ok' &&
    info.get('cluster_slots_ok') === '16384' &&
    info.get('cluster_known_nodes') === String(nodes)
  )
}

/** `CLUSTER NODES` of one node: address port, flags, primary id, own id, slots. */
async function clusterNodes(port: number) {
  const text = String(await ask(port, 'CLUSTER', 'NODES'))
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, primary, , , , link, ...slots] = line.split(' ')
      return {
        id: id!,
        port: Number(address!.split('@')[0]!.split(':')[1]),
        flags: flags!.split(','),
        primary: primary!,
        link: link!,
        slots,
      }
    })
}

/**
 * Starts 6 `redis-server --cluster-enabled yes` nodes on free loopback ports (with their bus
 * ports chosen free too), joins them with `redis-cli --cluster create ... --cluster-replicas 1`,
 * and waits until every node reports the cluster healthy and every replica is in sync. Anything
 * started is stopped if a later step fails.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = tempDir('cluster')
  const nodes: Node[] = []
  const stop = async () => {
    await Promise.all(nodes.map((n) => kill(n.child)))
    removeDir(dir)
  }
  try {
    for (let i = 0; i < 6; i++) nodes.push({ port: await freePort(), child: undefined })
    const bus = await Promise.all(nodes.map(() => freePort()))
    await Promise.all(
      nodes.map(async (node, i) => {
        node.child = await launch(node.port, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${node.port}.conf`),
          '--cluster-node-timeout',
          String(CLUSTER_NODE_TIMEOUT_MS),
          '--cluster-port',
          String(bus[i]),
          '--dir',
          dir,
        ])
      }),
    )
    await run(
      CLI,
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: 60_000 },
    )
    await pollUntil('every cluster node reports cluster_state:ok with 6 known nodes', async () =>
      (await Promise.all(nodes.map((n) => clusterOk(n.port, 6)))).every(Boolean),
    )
    await pollUntil('every cluster replica is in sync with its primary', async () => {
      const roles = await Promise.all(nodes.map((n) => ask(n.port, 'ROLE') as Promise<unknown[]>))
      return (
        roles.filter((r) => r[0] === 'slave').every((r) => r[3] === 'connected') &&
        roles.filter((r) => r[0] === 'slave').length === 3
      )
    })
  } catch (error) {
    await stop()
    throw error
  }

  const live = () => nodes.filter((n) => n.child !== undefined)
  const primaries = async () => {
    const [first] = live()
    const list = await clusterNodes(first!.port)
    return list.filter((n) => n.flags.includes('master') && !n.flags.includes('fail')).map((n) => n.port)
  }

  return {
    ports: nodes.map((n) => n.port),
    primaries,
    async primaryFor(key) {
      const [first] = live()
      const slot = Number(await ask(first!.port, 'CLUSTER', 'KEYSLOT', key))
      const list = await clusterNodes(first!.port)
      const owner = list.find(
        (n) =>
          n.flags.includes('master') &&
          n.slots.some((range) => {
            const [from, to = from] = range.split('-').map(Number)
            return slot >= from! && slot <= to!
          }),
      )
      if (owner === undefined) throw new Error(`no primary serves slot ${slot}`)
      return owner.port
    },
    async killPrimary(port) {
      const node = nodes.find((n) => n.port === port)
      if (node === undefined) throw new Error(`no cluster node on port ${port}`)
      const before = await clusterNodes(port)
      const self = before.find((n) => n.flags.includes('myself'))!
      const replica = before.find((n) => n.primary === self.id)
      if (replica === undefined) throw new Error(`the node on port ${port} has no replica to promote`)
      const start = performance.now()
      await kill(node.child)
      node.child = undefined
      await pollUntil(`the replica on port ${replica.port} is promoted after its primary died`, async () => {
        const role = (await ask(replica.port, 'ROLE')) as unknown[]
        return role[0] === 'master'
      })
      await pollUntil('every live cluster node reports cluster_state:ok after the failover', async () =>
        (await Promise.all(live().map((n) => clusterOk(n.port, 6)))).every(Boolean),
      )
      return { failoverMs: performance.now() - start, promoted: replica.port }
    },
    stop,
  }
}
