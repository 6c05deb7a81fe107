import type { Authorization } from '@apptoken/core/adapter'

/** Key of apptoken's entry in got's per-request `context`. */
export const CONTEXT_KEY = 'apptoken'

/**
 * One request as apptoken sees it: its base URL and the Authorization it carries. It lives in
 * got's `context`, which got copies to every redirect hop and merges into a retry; the token is
 * in a private field, so `util.inspect` and `JSON.stringify` of the options never show it.
 */
export class RequestState {
  #sent: Authorization | undefined

  /** `retried`: this is the one re-send after a 401. */
  constructor(
    readonly baseUrl: string | URL | undefined,
    sent?: Authorization,
    readonly retried = false,
  ) {
    this.#sent = sent
  }

  /** The Authorization this request carries. */
  get sent(): Authorization | undefined {
    return this.#sent
  }
  set sent(sent: Authorization | undefined) {
    this.#sent = sent
  }

  static of(context: Record<string, unknown>): RequestState | undefined {
    const state = context[CONTEXT_KEY]
    return state instanceof RequestState ? state : undefined
  }
}
