import { ConfigurationError } from '@apptoken/core'
import type { RedisCommands } from './redis-client.js'

type Send = (...args: never[]) => Promise<unknown>

/** What node-redis' client, cluster and sentinel share. */
interface NodeRedisShaped {
  isOpen: boolean
  isReady?: boolean
  sendCommand: Send
}

/** `createClient()`: `sendCommand(args, options)`. */
interface NodeRedisClient {
  isOpen: boolean
  isReady: boolean
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

/** `createCluster()`: `sendCommand(firstKey, isReadonly, args, options)`. */
interface NodeRedisCluster {
  isOpen: boolean
  isReady?: boolean
  sendCommand(
    firstKey: string,
    isReadonly: boolean,
    args: string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>
}

/** `createSentinel()`: `sendCommand(isReadonly, args, options)`, always to the current primary. */
interface NodeRedisSentinel {
  isOpen: boolean
  isReady: boolean
  sendCommand(isReadonly: boolean, args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

export function isNodeRedisShaped(client: object): client is NodeRedisShaped {
  const c = client as Partial<NodeRedisShaped>
  return typeof c.isOpen === 'boolean' && typeof c.sendCommand === 'function'
}

const has = (client: object, ...methods: string[]) =>
  methods.every((m) => typeof (client as Record<string, unknown>)[m] === 'function')

/**
 * Drives a node-redis client, cluster or sentinel. Their `sendCommand`s take different
 * arguments, so each is recognised by members only it has; anything else shaped like node-redis
 * (a pool, a sentinel lease) is refused with what to pass instead.
 */
export function nodeRedis(client: NodeRedisShaped, fix: string): RedisCommands {
  if (has(client, 'nodeClient', 'getSlotRandomNode')) return cluster(client)
  if (has(client, 'getMasterNode', 'getSentinelNode', 'use')) return sentinel(client as NodeRedisSentinel)
  if (has(client, 'release')) {
    throw new ConfigurationError(
      'client',
      'it is a client leased from a node-redis sentinel, which goes back to the pool when released',
      'pass the sentinel itself (await createSentinel({ name, sentinelRootNodes }).connect())',
    )
  }
  if (has(client, 'execute') && 'totalClients' in client) {
    throw new ConfigurationError(
      'client',
      'node-redis client pools (createClientPool) are not supported',
      'pass a client from createClient() (each command is short, one connection is enough)',
    )
  }
  // A client's sendCommand(args, options); a longer signature is something this cache cannot drive.
  if (typeof client.isReady !== 'boolean' || client.sendCommand.length > 2) {
    throw new ConfigurationError(
      'client',
      'it looks like node-redis but is not a client, cluster or sentinel',
      fix,
    )
  }
  return standalone(client as NodeRedisClient)
}

function ready(client: { isOpen: boolean; isReady?: boolean }): boolean {
  return typeof client.isReady === 'boolean' ? client.isReady : client.isOpen
}

function reason(client: { isOpen: boolean }, what: string): string {
  return client.isOpen
    ? `the ${what} is reconnecting`
    : `the ${what} is not connected (call await client.connect() before use)`
}

function standalone(client: NodeRedisClient): RedisCommands {
  return {
    kind: 'node-redis',
    topology: 'standalone',
    usable: () => client.isReady,
    unusableReason: () => reason(client, 'client'),
    // The abort signal drops a command still waiting in the offline queue, so a timed-out
    // SET NX does not take a lock later, after a reconnect.
    send: (_key, args, signal) => client.sendCommand([...args], { abortSignal: signal }),
  }
}

function cluster(client: NodeRedisCluster): RedisCommands {
  return {
    kind: 'node-redis',
    topology: 'cluster',
    usable: () => ready(client),
    unusableReason: () => reason(client, 'cluster client'),
    // Routed by the key's slot. Not read-only, so reads go to the primary too: a lagging
    // replica would hide a token just stored and cost a second token request.
    send: (key, args, signal) => client.sendCommand(key, false, [...args], { abortSignal: signal }),
  }
}

function sentinel(client: NodeRedisSentinel): RedisCommands {
  return {
    kind: 'node-redis',
    topology: 'sentinel',
    usable: () => client.isReady,
    unusableReason: () => reason(client, 'sentinel client'),
    send: (_key, args, signal) => client.sendCommand(false, [...args], { abortSignal: signal }),
  }
}
