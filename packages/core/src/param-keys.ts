import { checkTokenParams, mergeTokenParams, type CheckedParams, type TokenParams } from './token-params.js'
import type { ResolvedOptions } from './options.js'
import { TokenKeys, type TokenKeysOptions } from './token-keys.js'

/** The keys and the parameters of one parameter set. */
export interface ParamKeys {
  readonly keys: TokenKeys
  readonly params: CheckedParams
}

/** Distinct parameter sets remembered; a daemon calls a handful of APIs. */
const MAX_SETS = 1_000

/**
 * One {@link TokenKeys} per set of token-request parameters, so parameters are part of every cache
 * key. A call's `params` object is read once: the same object later costs one WeakMap lookup (treat
 * it as immutable, as adapters do with their options).
 */
export class ParamKeyring {
  readonly base: ParamKeys
  readonly #options: TokenKeysOptions
  readonly #byObject = new WeakMap<object, ParamKeys>()
  readonly #byKey = new Map<string, ParamKeys>()

  constructor(options: TokenKeysOptions, tokenParams: CheckedParams) {
    this.#options = options
    this.base = { keys: new TokenKeys({ ...options, paramsKey: tokenParams.key }), params: tokenParams }
    this.#byKey.set(tokenParams.key, this.base)
  }

  /** The keys of `params` if this object was seen before (the hot path: no checking, no throwing). */
  known(params: TokenParams | undefined): ParamKeys | undefined {
    return params === undefined ? this.base : this.#byObject.get(params)
  }

  /** The keys of a call's `params` (checked and merged over `tokenParams` on first sight). */
  for(params: TokenParams | undefined): ParamKeys {
    if (params === undefined) return this.base
    const known = this.#byObject.get(params)
    if (known !== undefined) return known
    const merged = mergeTokenParams(this.base.params, checkTokenParams('params', params))
    let found = this.#byKey.get(merged.key)
    if (found === undefined) {
      if (this.#byKey.size >= MAX_SETS) {
        this.#byKey.clear()
        this.#byKey.set(this.base.params.key, this.base)
      }
      found = { keys: new TokenKeys({ ...this.#options, paramsKey: merged.key }), params: merged }
      this.#byKey.set(merged.key, found)
    }
    this.#byObject.set(params, found)
    return found
  }
}

/** The keyring of a provider: its authority (and DPoP key), client, tenants and `tokenParams`. */
export function keyringFor(opts: ResolvedOptions, maxEntries: number): ParamKeyring {
  return new ParamKeyring(
    {
      authority:
        (opts.authorityHost ?? opts.tokenEndpoint ?? opts.issuer ?? '') +
        (opts.dpop === undefined ? '' : ` dpop:${opts.dpop.thumbprint}`),
      clientId: opts.clientId,
      tenantId: opts.tenantId,
      mode: opts.mode,
      allowedTenants: opts.allowedTenants,
      // Memos hold every tenant the cache can: clearing them at capacity would push hits to the slow path.
      memoLimit: Math.max(10_000, 2 * maxEntries + 1),
    },
    opts.tokenParams,
  )
}
