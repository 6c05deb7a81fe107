import type { Authorization } from './types.js'

/** How many recent Authorizations are kept: a token, its predecessor, and DPoP's per-request ones. */
const KEPT = 16

/**
 * The Authorizations an adapter sent, found again by the Authorization header a request carries.
 * An adapter then keeps nothing per request to tell core, on a 401, which token was rejected
 * (`ResponseFacts.sent`): only headers it set itself are found, so a header the caller set
 * is never taken for one of ours.
 *
 * @example
 * ```ts
 * const issued: IssuedAuthorizations = issuedAuthorizations()
 * issued.remember({ header: 'Bearer eyJ...', token: 'eyJ...' }) // when the header is set
 * const rejected = issued.sentWith('Bearer eyJ...') // on a 401: the Authorization that request carried
 * ```
 */
export interface IssuedAuthorizations {
  /** Notes `sent` as set on a request, and returns it. */
  remember(sent: Authorization): Authorization
  /** The Authorization whose header is `header` (the request's own `Authorization` value), if one of the last 16. */
  sentWith(header: unknown): Authorization | undefined
}

/**
 * Creates an {@link IssuedAuthorizations}, one per client.
 *
 * @example
 * ```ts
 * const issued = issuedAuthorizations()
 * const sent = issued.remember({ header: 'Bearer eyJ...', token: 'eyJ...' })
 * issued.sentWith('Bearer eyJ...') === sent // true
 * ```
 */
export function issuedAuthorizations(): IssuedAuthorizations {
  const byHeader = new Map<string, Authorization>()
  let last: Authorization | undefined
  return {
    remember(sent) {
      if (sent === last) return sent // the cached token's one Authorization, request after request
      last = sent
      byHeader.delete(sent.header)
      byHeader.set(sent.header, sent)
      if (byHeader.size > KEPT) byHeader.delete(byHeader.keys().next().value!)
      return sent
    },
    sentWith: (header) => (typeof header === 'string' ? byHeader.get(header) : undefined),
  }
}
