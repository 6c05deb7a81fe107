import type { Authorization } from '@apptoken/core/adapter'
import type { GotRequestOptions } from './got-types.js'

/** Key of apptoken's entry in got's per-request `context` (copied to redirect hops, merged into a retry). */
export const CONTEXT_KEY = 'apptoken'

/** One request's base URL and the Authorization it carries, private so that no `inspect` shows the token. */
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
  get sent(): Authorization | undefined {
    return this.#sent
  }
  set sent(sent: Authorization | undefined) {
    this.#sent = sent
  }

  /** The base URL of the request's state, if it has one (a page of `got.paginate`, a retry). */
  static baseUrlOf({ context }: GotRequestOptions): string | URL | undefined {
    const state = context[CONTEXT_KEY]
    return state instanceof RequestState ? state.baseUrl : undefined
  }

  /** The request's state, or a new one for a request apptoken has not seen yet. */
  static of({ context, prefixUrl }: GotRequestOptions): RequestState {
    const state = context[CONTEXT_KEY]
    return state instanceof RequestState ? state : new RequestState(prefixUrl || undefined)
  }
}
