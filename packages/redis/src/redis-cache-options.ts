import { ConfigurationError, type Clock, type Logger } from '@apptoken/core'
import { systemClock } from './timers.js'
import type { EncryptionKey } from './encryption-key.js'

/**
 * Options of {@link redisCache}. Every field is optional.
 *
 * @example
 * ```ts
 * const options: RedisCacheOptions = { keyPrefix: 'billing:apptoken:', encryptionKey: process.env.APPTOKEN_REDIS_KEY }
 * ```
 */
export interface RedisCacheOptions {
  /** Prefix of every key written. Default `'apptoken:'`. */
  keyPrefix?: string
  /**
   * Encrypts values at rest (AES-256-GCM). 32 random bytes (Buffer, hex or base64) or a
   * passphrase of 16+ characters. A list rotates keys: the first encrypts, all decrypt. Omit
   * it to store JSON in the clear; passing `undefined` (an unset variable) is an error.
   */
  encryptionKey?: EncryptionKey | readonly EncryptionKey[]
  /**
   * TTL of the lock a replica holds while it fetches a token. The holder extends it while it
   * works, so this is how soon another replica takes over when the holder dies. Default 5000.
   */
  lockTtlMs?: number
  /** Longest a replica waits for another's fetch before fetching itself. Default 10000. */
  waitMs?: number
  /** Longest wait for one Redis reply; a slower one counts as Redis being down. Default 500. */
  commandTimeoutMs?: number
  /** Receives outage and bad-value events (never token values). */
  logger?: Logger | undefined
  /**
   * Time source for token lifetimes, Redis TTLs and the waits between polls for another
   * replica's token. Pass the provider's `clock` when it has one; tests pass a fake one so no
   * test waits real seconds. Command timeouts and lock renewals stay on real timers: they
   * measure Redis itself. Default: `Date.now` and `setTimeout`.
   */
  clock?: Clock
}

/** Options after validation, with defaults applied. */
export interface ResolvedRedisCacheOptions {
  keyPrefix: string
  lockTtlMs: number
  waitMs: number
  commandTimeoutMs: number
  clock: Clock
}

function milliseconds(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigurationError(
      option,
      `${typeof value === 'number' ? String(value) : typeof value} is not a whole number of milliseconds of at least ${min}`,
      `pass e.g. ${fallback}, or omit it`,
    )
  }
  return value
}

/** Validates the options at creation, so a mistake fails at startup. */
export function resolveRedisCacheOptions(options: RedisCacheOptions): ResolvedRedisCacheOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      'options',
      'it is not an object',
      "pass e.g. { keyPrefix: 'apptoken:' }, or nothing",
    )
  }
  const keyPrefix = options.keyPrefix ?? 'apptoken:'
  if (typeof keyPrefix !== 'string')
    throw new ConfigurationError('keyPrefix', 'it is not a string', "pass e.g. 'myapp:apptoken:'")
  // `encryptionKey: process.env.KEY` with the variable unset would silently store tokens in
  // the clear; only leaving the option out means that.
  if ('encryptionKey' in options && options.encryptionKey === undefined) {
    throw new ConfigurationError(
      'encryptionKey',
      'it is undefined (is the environment variable that should hold it set?)',
      'pass the key, or leave the option out to store tokens unencrypted',
    )
  }
  if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) {
    throw new ConfigurationError(
      'logger',
      'it is not an object',
      'pass console, a pino logger, or an object with debug/info/warn/error',
    )
  }
  const clock = options.clock ?? systemClock
  if (
    typeof clock !== 'object' ||
    clock === null ||
    typeof clock.now !== 'function' ||
    typeof clock.sleep !== 'function'
  ) {
    throw new ConfigurationError(
      'clock',
      'it is not an object with now() and sleep(ms, signal)',
      "pass the provider's clock, or omit it to use the system clock",
    )
  }
  return {
    keyPrefix,
    clock,
    lockTtlMs: milliseconds('lockTtlMs', options.lockTtlMs, 5_000, 10),
    waitMs: milliseconds('waitMs', options.waitMs, 10_000, 0),
    commandTimeoutMs: milliseconds('commandTimeoutMs', options.commandTimeoutMs, 500, 1),
  }
}
