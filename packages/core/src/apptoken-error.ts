import { redact } from './redact.js'

const BRAND = Symbol.for('apptoken.error')

/**
 * Every `code` an apptoken error can have. Stable across versions: match on these.
 *
 * @example
 * ```ts
 * const retryLater: ApptokenErrorCode[] = ['ERR_NETWORK', 'ERR_TIMEOUT']
 * if (isApptokenError(e) && retryLater.includes(e.code)) scheduleRetry()
 * ```
 */
export type ApptokenErrorCode =
  | 'ERR_CONFIGURATION'
  | 'ERR_TOKEN_REQUEST'
  | 'ERR_NETWORK'
  | 'ERR_TIMEOUT'
  | 'ERR_ABORTED'
  | 'ERR_INVALID_TOKEN_RESPONSE'
  | 'ERR_CLOSED'

/**
 * Base class of every error apptoken throws. `code` is stable across versions; match on it
 * (or use the `is*` guards, which work across realms and duplicate installs) rather than on
 * `instanceof` or the message.
 *
 * @example
 * ```ts
 * try { await provider.getToken(scope) } catch (e) { if (isApptokenError(e)) console.error(e.code, e.message) }
 * ```
 */
export class ApptokenError extends Error {
  /** Stable machine-readable code, e.g. `ERR_TOKEN_REQUEST`. */
  readonly code: ApptokenErrorCode
  declare readonly [BRAND]: true

  constructor(code: ApptokenErrorCode, message: string, options?: ErrorOptions) {
    // No message may quote a secret, even one passed by mistake as another option.
    super(redact(message), options)
    this.code = code
    this.name = new.target.name
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/**
 * True for any apptoken error (optionally with the given `code`), even one thrown by another copy
 * of the package or in another realm.
 *
 * @example
 * ```ts
 * if (isApptokenError(e, 'ERR_CONFIGURATION')) process.exit(2)
 * ```
 */
export function isApptokenError(value: unknown, code?: ApptokenErrorCode): value is ApptokenError {
  if (typeof value !== 'object' || value === null) return false
  const v = value as { [BRAND]?: unknown; code?: unknown }
  return v[BRAND] === true && typeof v.code === 'string' && (code === undefined || v.code === code)
}
