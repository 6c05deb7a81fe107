/** What the protected API and Graph stand-in need from an authority beyond its public surface. */
export interface AuthorityInternals {
  /** The `claims` parameter of the token request that produced the token with this `uti`. */
  requestedClaims(uti: string): string | undefined
}

/** Keyed by the public `TestAuthority` object, so internals stay off its type. */
export const authorityInternals = new WeakMap<object, AuthorityInternals>()
