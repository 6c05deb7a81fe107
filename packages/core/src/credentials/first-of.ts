import type {
  ClientAuthentication,
  ClientCredential,
  Credential,
  CredentialContext,
  CredentialDefaults,
} from '../credential.js'
import { ConfigurationError, type TokenRequestError } from '../errors.js'

class FirstOfCredential implements ClientCredential {
  readonly #members: readonly ClientCredential[]
  readonly defaults: CredentialDefaults
  #index = 0
  #announced = 0

  constructor(members: readonly ClientCredential[]) {
    this.#members = members
    this.defaults = members.find((m) => m.defaults !== undefined)?.defaults ?? {}
  }

  get kind(): string {
    return this.#current.kind
  }

  get #current(): ClientCredential {
    return this.#members[this.#index]!
  }

  authenticate(ctx: CredentialContext): Promise<ClientAuthentication> {
    if (this.#announced !== this.#index) {
      this.#announced = this.#index
      ctx.logger?.warn?.(
        { event: 'credential_switched', index: this.#index, kind: this.#current.kind },
        `apptoken: the previous credential was rejected; now using credential #${this.#index + 1} of ${this.#members.length} (${this.#current.kind})`,
      )
    }
    return this.#current.authenticate(ctx)
  }

  async onRejected(error: TokenRequestError, ctx: CredentialContext): Promise<boolean> {
    const current = this.#current
    // A member that reloaded itself (a certificate rotated on disk) gets the retry first.
    if (current.onRejected && (await current.onRejected(error, ctx))) return true
    if (this.#members.length === 1) return false
    // Move on, wrapping around: in a planned rotation the one that failed may be accepted later,
    // once the others are withdrawn.
    if (this.#current === current) this.#index = (this.#index + 1) % this.#members.length
    return true
  }
}

/**
 * A rotation list: authenticates with the first credential, and when the authority rejects it
 * (a certificate removed from the app registration, for example) moves to the next one and
 * retries. The one that works is kept until it is rejected in turn.
 *
 * @example
 * ```ts
 * createTokenProvider({
 *   tenantId, clientId,
 *   credential: firstOf(clientCertificate({ path: 'new.pem' }), clientCertificate({ path: 'old.pem' })),
 * })
 * ```
 */
export function firstOf(...credentials: Credential[]): ClientCredential {
  if (credentials.length === 0)
    throw new ConfigurationError(
      'firstOf',
      'no credential was given',
      'pass one or more credentials, e.g. firstOf(clientCertificate(a), clientCertificate(b))',
    )
  const members = credentials.map((c, i) => {
    if (typeof c?.authenticate !== 'function') {
      throw new ConfigurationError(
        `firstOf[${i}]`,
        typeof c?.getToken === 'function'
          ? `${c.kind} obtains tokens itself and cannot take part in a rotation list`
          : 'it is not a credential',
        'list only credentials that authenticate token requests: clientSecret, clientCertificate, clientAssertion, workloadIdentity',
      )
    }
    return c
  })
  return new FirstOfCredential(members)
}
