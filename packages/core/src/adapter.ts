/**
 * `@apptoken/core/adapter`: what an adapter for an HTTP client or SDK needs. Everything here
 * decides once, in core, what every adapter does: which origin gets the token, the header, and
 * what to do on a 401. See the core README's "Writing an adapter".
 *
 * @packageDocumentation
 */
export { createRequestAuthorizer } from './auth/request-authorizer.js'
export type {
  RequestAuthorizer,
  AppTokenOptions,
  Authorization,
  UnauthorizedResponse,
  ResponseFacts,
  AuthorizerContext,
} from './auth/types.js'
export { setAuthorization, abortReason } from './auth/headers.js'
export type { HeadersLike, HeaderValue } from './auth/headers.js'
export { parseWwwAuthenticate, claimsFromChallenge, readClaimsChallenge } from './auth/www-authenticate.js'
export type { AuthChallenge, ClaimsChallenge } from './auth/www-authenticate.js'
export { isReplayableBody } from './auth/body.js'
export { issuedAuthorizations } from './auth/issued.js'
export type { IssuedAuthorizations } from './auth/issued.js'
export { resolveOrigins } from './auth/origins.js'
export { isLoopbackHost, isSecureUrl } from './urls.js'
export type { HttpTransport, HttpRequest, HttpResponse } from './http.js'
