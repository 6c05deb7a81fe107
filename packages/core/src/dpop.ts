import { createHash, generateKeyPairSync, randomUUID, sign, constants, type KeyObject } from 'node:crypto'
import { ConfigurationError } from './errors.js'
import type { HttpResponse } from './http.js'
import {
  chooseAlgorithm,
  importSigningKey,
  type PrivateKeyInput,
  type SigningAlgorithm,
  type SigningKey,
} from './credentials/signing-key.js'

/**
 * The provider option `dpop`: `true` for a P-256 key generated for the provider's life, or the
 * private key to prove possession of (PEM, private JWK or `KeyObject`).
 *
 * @example
 * ```ts
 * const issuer = 'https://auth.example.com'
 * createTokenProvider({ issuer, clientId, credential, dpop: true })
 * createTokenProvider({ issuer, clientId, credential, dpop: { privateKey: process.env.DPOP_KEY_PEM!, algorithm: 'ES256' } })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */
export type DpopOption =
  boolean | { privateKey: PrivateKeyInput; algorithm?: SigningAlgorithm; passphrase?: string }

/** The one spelling of a DPoP token's type. */
export const DPOP = 'DPoP'

/** RFC 9449 §8.1 / §9: a nonce is `1*NQCHAR` (visible ASCII but `"` and `\`); nothing else goes in a header. */
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]{1,1024}$/

/** True when `value` may be sent back as a nonce (no CR/LF, no quotes, not too long). */
export const isValidNonce = (value: unknown): value is string =>
  typeof value === 'string' && NONCE.test(value)

const MAX_ORIGINS = 256
const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url')
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'e', 'n'] as const

function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return ''
  }
}

/**
 * Signs DPoP proofs (RFC 9449 §4) with one key and remembers each server's latest nonce.
 * Proofs are signed with `node:crypto` synchronously: one signature per request, nothing else.
 * A provider created with `dpop` exposes its signer as `provider.dpop`.
 *
 * @example
 * ```ts
 * const signer = provider.dpop // undefined without the dpop option
 * if (signer !== undefined) console.log(signer.thumbprint) // the cnf.jkt of the provider's tokens
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4
 */
export class DpopSigner {
  readonly #key: KeyObject
  readonly #alg: SigningAlgorithm
  /** The proofs' JWS algorithm. */
  get algorithm(): SigningAlgorithm {
    return this.#alg
  }
  /** base64url of the protected header, built once. */
  readonly #header: string
  /** JWK SHA-256 thumbprint (RFC 7638): the `cnf.jkt` of tokens bound to this key. */
  readonly thumbprint: string
  readonly #nonces = new Map<string, string>()
  #lastToken = ''
  #lastAth = ''

  constructor(key: SigningKey, algorithm: SigningAlgorithm) {
    this.#key = key.key
    this.#alg = algorithm
    const full = key.key.export({ format: 'jwk' }) as Record<string, string>
    const jwk: Record<string, string> = {}
    for (const m of PUBLIC_MEMBERS) if (full[m] !== undefined) jwk[m] = full[m]
    this.#header = b64url(JSON.stringify({ typ: 'dpop+jwt', alg: algorithm, jwk }))
    // RFC 7638: the required members in lexicographic order.
    const required = Object.keys(jwk).sort()
    const canonical = JSON.stringify(Object.fromEntries(required.map((k) => [k, jwk[k]])))
    this.thumbprint = createHash('sha256').update(canonical).digest('base64url')
  }

  /** The nonce last received from `url`'s origin, if any. */
  nonceFor(url: string): string | undefined {
    return this.#nonces.get(originOf(url))
  }

  /** Keeps a nonce a server sent (`DPoP-Nonce`); an invalid one (CR/LF, quotes) is ignored. */
  rememberNonce(url: string, nonce: unknown): boolean {
    if (!isValidNonce(nonce)) return false
    const origin = originOf(url)
    if (this.#nonces.get(origin) === nonce) return true
    if (this.#nonces.size >= MAX_ORIGINS) this.#nonces.clear()
    this.#nonces.set(origin, nonce)
    return true
  }

  /**
   * A fresh proof for one request: `htm`, `htu` (without query and fragment), `iat`, a new `jti`,
   * `ath` when an access token goes with it, and the server's latest nonce.
   */
  proof(method: string, url: string, accessToken: string | undefined, nowMs: number): string {
    const q = url.search(/[?#]/)
    const htu = q === -1 ? url : url.slice(0, q)
    const payload: Record<string, string | number> = {
      jti: randomUUID(),
      htm: method.toUpperCase(),
      htu,
      iat: Math.floor(nowMs / 1000),
    }
    if (accessToken !== undefined) {
      if (accessToken !== this.#lastToken) {
        this.#lastToken = accessToken
        this.#lastAth = createHash('sha256').update(accessToken).digest('base64url')
      }
      payload.ath = this.#lastAth
    }
    const nonce = this.#nonces.get(originOf(url))
    if (nonce !== undefined) payload.nonce = nonce
    const input = `${this.#header}.${b64url(JSON.stringify(payload))}`
    return `${input}.${signJws(this.#alg, this.#key, input).toString('base64url')}`
  }
}

function signJws(alg: SigningAlgorithm, key: KeyObject, input: string): Buffer {
  const data = Buffer.from(input)
  if (alg === 'EdDSA') return sign(null, data, key)
  const hash = `sha${alg.slice(2)}`
  if (alg.startsWith('ES')) return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' })
  if (alg.startsWith('PS'))
    return sign(hash, data, {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(alg.slice(2)) / 8,
    })
  return sign(hash, data, key)
}

/**
 * Checks the signer's algorithm against the server's `dpop_signing_alg_values_supported`
 * (from discovery): one it does not list is a {@link ConfigurationError} at the first request.
 */
export function checkDpopAlgorithm(signer: DpopSigner, listed: readonly string[] | undefined): void {
  if (listed === undefined || listed.includes(signer.algorithm)) return
  throw new ConfigurationError(
    'dpop',
    `the server does not accept ${signer.algorithm} DPoP proofs (its dpop_signing_alg_values_supported lists ${listed.join(', ') || 'nothing'})`,
    'pass dpop: { privateKey } with a key of an algorithm it lists (dpop: true uses ES256)',
  )
}

/** Builds the provider's signer from its `dpop` option (undefined: DPoP off). */
export function createDpopSigner(option: DpopOption | undefined): DpopSigner | undefined {
  if (option === undefined || option === false) return undefined
  if (option === true) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    return new DpopSigner(importSigningKey('dpop', privateKey), 'ES256')
  }
  if (typeof option !== 'object' || option === null || option.privateKey === undefined) {
    throw new ConfigurationError(
      'dpop',
      'it is neither true nor { privateKey }',
      'pass dpop: true (a generated key) or dpop: { privateKey }',
    )
  }
  const key = importSigningKey('dpop.privateKey', option.privateKey, option.passphrase)
  return new DpopSigner(key, chooseAlgorithm('dpop', key, option.algorithm, undefined, ''))
}

/** The most `use_dpop_nonce` answers one token request follows (RFC 9449 §8: one is normal). */
const MAX_NONCE_RETRIES = 1

const header = (res: HttpResponse, name: string): string | undefined => {
  const v = res.headers[name]
  return Array.isArray(v) ? v[0] : v
}

function asksForNonce(res: HttpResponse): boolean {
  if (res.status !== 400 && res.status !== 401) return false
  try {
    return (JSON.parse(res.body) as { error?: unknown }).error === 'use_dpop_nonce'
  } catch {
    return false
  }
}

/**
 * Sends a token request with a DPoP proof: remembers the nonce of every answer, and follows one
 * `use_dpop_nonce` answer with a new proof (a second one goes to the caller as the error it is).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 */
export async function sendWithDpop(
  signer: DpopSigner,
  url: string,
  nowMs: () => number,
  send: (dpop: string) => Promise<HttpResponse>,
): Promise<HttpResponse> {
  for (let i = 0; ; i++) {
    const res = await send(signer.proof('POST', url, undefined, nowMs()))
    const nonce = header(res, 'dpop-nonce')
    const fresh = nonce !== undefined && nonce !== signer.nonceFor(url) && signer.rememberNonce(url, nonce)
    if (i < MAX_NONCE_RETRIES && fresh && asksForNonce(res)) continue
    return res
  }
}
