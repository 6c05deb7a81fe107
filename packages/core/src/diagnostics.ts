/**
 * The names of the `node:diagnostics_channel` channels apptoken publishes on. Nothing is built or
 * sent while a channel has no subscriber. No payload ever holds a token, secret or assertion.
 *
 * @example
 * ```ts
 * const { subscribe } = process.getBuiltinModule('node:diagnostics_channel')
 * subscribe(ApptokenChannels.cacheLookup, (m) => console.log((m as CacheLookupEvent).result))
 * ```
 */
export const ApptokenChannels = {
  /** A `TracingChannel` (start/end/asyncStart/asyncEnd/error): each token request that reaches the authority. */
  tokenRequest: 'apptoken:token-request',
  /** Every `getToken` answered or missed by the in-process cache: {@link CacheLookupEvent}. */
  cacheLookup: 'apptoken:cache-lookup',
  /** A token was stored (from the authority or a shared cache): {@link TokenAcquiredEvent}. */
  tokenAcquired: 'apptoken:token-acquired',
  /** A background refresh started: {@link RefreshEvent}. */
  refreshStart: 'apptoken:refresh-start',
  /** A background refresh failed; the valid token is still served: {@link RefreshEvent}. */
  refreshFailed: 'apptoken:refresh-failed',
  /** An API answered 401 and the request is re-sent with a new token: {@link UnauthorizedRetryEvent}. */
  unauthorizedRetry: 'apptoken:unauthorized-retry',
  /** The authority rejected the credential, which reloaded and the request is retried: {@link CredentialReloadEvent}. */
  credentialReload: 'apptoken:credential-reload',
  /** A certificate was first used (at load and after each reload): {@link CredentialValidityEvent}. */
  credentialValidity: 'apptoken:credential-validity',
  /** A certificate expires within `expiryWarningDays`: {@link CredentialValidityEvent}. */
  credentialExpiring: 'apptoken:credential-expiring',
} as const

/**
 * Context of the `apptoken:token-request` tracing channel. The start fields are set before the
 * request; `result` or `error` (a `TokenRequestError` has `status` and `aadsts`) and the outcome
 * fields by the time `asyncEnd`/`error` fire.
 *
 * @example
 * ```ts
 * const { tracingChannel } = process.getBuiltinModule('node:diagnostics_channel')
 * tracingChannel<unknown, TokenRequestContext>(ApptokenChannels.tokenRequest).subscribe({
 *   asyncEnd: (ctx) => console.log(ctx.tenantId, ctx.outcome, ctx.retries, ctx.aadsts),
 *   start() {}, end() {}, asyncStart() {}, error() {},
 * })
 * ```
 */
export interface TokenRequestContext {
  clientId: string
  tenantId: string
  scopes: readonly string[]
  /** The credential's `kind`, e.g. `client_secret`, `client_certificate`, `managed_identity`. */
  credentialKind: string
  /** Host of the authority (or token endpoint / issuer), e.g. `login.microsoftonline.com`. */
  authorityHost: string
  /** Why the token is requested: none cached, a background refresh, or a forced refresh (401, claims). */
  reason: 'missing' | 'background' | 'forced' | 'claims'
  /** Retries this request made (set when it settles). */
  retries: number
  outcome?: 'success' | 'error'
  /** On success: when the new token expires (epoch ms). */
  expiresAt?: number
  /** On error: the error's `code`, its HTTP status and Entra code when the authority answered. */
  errorType?: string
  status?: number
  aadsts?: string
  /** Set by the channel on failure: the `ApptokenError` (its message and fields hold no secret). */
  error?: unknown
  /** Always undefined: the token never travels on a channel. */
  result?: undefined
}

/**
 * Payload of `apptoken:cache-lookup`. `hit`: served from cache; `stale`: served from cache and a
 * background refresh is due; `miss`: none usable, a request follows (or joins one in flight).
 *
 * @example
 * ```ts
 * let hits = 0
 * const { subscribe } = process.getBuiltinModule('node:diagnostics_channel')
 * subscribe(ApptokenChannels.cacheLookup, (m) => void (hits += (m as CacheLookupEvent).result === 'hit' ? 1 : 0))
 * ```
 */
export interface CacheLookupEvent {
  result: 'hit' | 'miss' | 'stale'
  clientId: string
  /** The tenant asked for, or the provider's default. */
  tenantId: string
  /** As passed to `getToken` (a string on the fast path). */
  scopes: string | readonly string[]
}

/**
 * Payload of `apptoken:token-acquired`.
 *
 * @example
 * ```ts
 * const { subscribe } = process.getBuiltinModule('node:diagnostics_channel')
 * subscribe(ApptokenChannels.tokenAcquired, (m) => console.log(new Date((m as TokenAcquiredEvent).expiresAt)))
 * ```
 */
export interface TokenAcquiredEvent {
  clientId: string
  tenantId: string
  scopes: readonly string[]
  source: 'authority' | 'shared_cache'
  expiresAt: number
  refreshAt: number
}

/**
 * Payload of `apptoken:refresh-start` and `apptoken:refresh-failed` (the latter with the error's
 * code, Entra code and the time of the next attempt).
 *
 * @example
 * ```ts
 * const { subscribe } = process.getBuiltinModule('node:diagnostics_channel')
 * subscribe(ApptokenChannels.refreshFailed, (m) => console.warn((m as RefreshEvent).aadsts))
 * ```
 */
export interface RefreshEvent {
  clientId: string
  tenantId: string
  scopes: readonly string[]
  errorType?: string
  aadsts?: string
  nextAttemptAt?: number
}

/**
 * Payload of `apptoken:unauthorized-retry`: the origin that really answered 401 (no path or query).
 *
 * @example
 * ```ts
 * const { subscribe } = process.getBuiltinModule('node:diagnostics_channel')
 * subscribe(ApptokenChannels.unauthorizedRetry, (m) => console.log((m as UnauthorizedRetryEvent).origin))
 * ```
 */
export interface UnauthorizedRetryEvent {
  origin: string
  /** Whether the 401 carried a claims challenge (else the token was force-refreshed). */
  claimsChallenge: boolean
  tenantId: string
  scopes: readonly string[]
}

/**
 * Payload of `apptoken:credential-reload`.
 *
 * @example
 * ```ts
 * const { subscribe } = process.getBuiltinModule('node:diagnostics_channel')
 * subscribe(ApptokenChannels.credentialReload, (m) => console.log((m as CredentialReloadEvent).aadsts))
 * ```
 */
export interface CredentialReloadEvent {
  credentialKind: string
  tenantId: string
  aadsts?: string
}

/**
 * Payload of `apptoken:credential-validity` and `apptoken:credential-expiring`: a certificate's
 * validity (its thumbprint is public, the key is never here).
 *
 * @example
 * ```ts
 * const { subscribe } = process.getBuiltinModule('node:diagnostics_channel')
 * subscribe(ApptokenChannels.credentialExpiring, (m) => console.warn(`certificate expires ${(m as CredentialValidityEvent).notAfter}`))
 * ```
 */
export interface CredentialValidityEvent {
  credentialKind: string
  /** SHA-256 thumbprint (base64url), as in the assertion's `x5t#S256`. */
  thumbprint: string
  notBefore: number
  notAfter: number
  /** Days left before `notAfter` (may be fractional), at the time of the event. */
  daysLeft: number
}
