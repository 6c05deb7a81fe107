import type { Clock, Logger } from '@apptoken/core'
import type { RedisCommands } from './redis-client.js'

const REPEAT_MS = 60_000

/**
 * Tracks whether Redis works, so an outage is logged once when it starts and once when it ends,
 * and repeated problems with stored values at most once a minute each.
 */
export class Health {
  readonly #logger: Logger | undefined
  readonly #client: string
  readonly #topology: string
  readonly #clock: Clock
  readonly #lastWarned = new Map<string, number>()
  #down = false

  constructor(logger: Logger | undefined, redis: Pick<RedisCommands, 'kind' | 'topology'>, clock: Clock) {
    this.#logger = logger
    this.#client = redis.kind
    this.#topology = redis.topology
    this.#clock = clock
  }

  get down(): boolean {
    return this.#down
  }

  ok(): void {
    if (!this.#down) return
    this.#down = false
    this.#logger?.info?.(
      { event: 'shared_cache_recovered', client: this.#client, topology: this.#topology },
      'apptoken/redis: Redis is reachable again; replicas share tokens again',
    )
  }

  failed(reason: unknown): void {
    if (this.#down) return
    this.#down = true
    const message = reason instanceof Error ? reason.message : String(reason)
    this.#logger?.warn?.(
      {
        event: 'shared_cache_unavailable',
        client: this.#client,
        topology: this.#topology,
        message: message.slice(0, 200),
      },
      'apptoken/redis: Redis is unavailable; each replica uses its own cache and the token endpoint until Redis returns',
    )
  }

  /** Logs `message` unless the same `kind` was logged in the last minute. */
  warnEvery(kind: string, fields: Record<string, unknown>, message: string): void {
    const now = this.#clock.now()
    const last = this.#lastWarned.get(kind)
    if (last !== undefined && now - last < REPEAT_MS) return
    this.#lastWarned.set(kind, now)
    this.#logger?.warn?.({ ...fields, client: this.#client, topology: this.#topology }, message)
  }

  debug(fields: Record<string, unknown>, message: string): void {
    this.#logger?.debug?.({ ...fields, client: this.#client, topology: this.#topology }, message)
  }
}
