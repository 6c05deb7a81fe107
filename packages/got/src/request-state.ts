import type { Authorization } from '@apptoken/core/adapter'

/** Key of apptoken's entry in got's per-request `context`. */
export const CONTEXT_KEY = 'apptoken'

/**
 * What apptoken attached to one request. It lives in got's `context`, which got copies to every
 * redirect hop and merges into a retry; private fields keep the token out of `util.inspect` and
 * `JSON.stringify` of the options.
 */
export class RequestState {
  readonly #auth: Authorization
  /** True for the one re-send after a 401. */
  readonly retried: boolean

  constructor(auth: Authorization, retried: boolean) {
    this.#auth = auth
    this.retried = retried
  }

  get auth(): Authorization {
    return this.#auth
  }

  static of(context: Record<string, unknown>): RequestState | undefined {
    const state = context[CONTEXT_KEY]
    return state instanceof RequestState ? state : undefined
  }
}
