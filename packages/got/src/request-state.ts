import type { Authorization } from '@apptoken/core/adapter'

/** Key of apptoken's entry in got's per-request `context`. */
export const CONTEXT_KEY = 'apptoken'

/**
 * What apptoken attached to one request. It lives in got's `context` because got copies the
 * context to every redirect hop and merges it into a retry; the fields are private so that
 * `util.inspect(error.options)` or `JSON.stringify(options.context)` never shows the token.
 */
export class RequestState {
  readonly #auth: Authorization
  readonly #retried: boolean

  constructor(auth: Authorization, retried: boolean) {
    this.#auth = auth
    this.#retried = retried
  }

  get header(): string {
    return this.#auth.header
  }

  get token(): string {
    return this.#auth.token
  }

  /** True once the request was re-sent after a 401: it is never re-sent again. */
  get retried(): boolean {
    return this.#retried
  }

  static of(context: Record<string, unknown>): RequestState | undefined {
    const state = context[CONTEXT_KEY]
    return state instanceof RequestState ? state : undefined
  }
}
