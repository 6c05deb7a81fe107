import { createPrivateKey, type KeyObject } from 'node:crypto'
import { ConfigurationError } from '../errors.js'

/**
 * JWS algorithms apptoken signs with a private key (client assertions, DPoP proofs).
 *
 * @example
 * ```ts
 * const algorithm: SigningAlgorithm = 'PS256'
 * privateKeyJwt(process.env.CLIENT_KEY_PEM!, { algorithm })
 * ```
 */
export type SigningAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA'

/**
 * A private key as apptoken takes it: PEM text (PKCS#8, PKCS#1 or SEC1), a private JWK (with
 * `d`), or a `KeyObject` of type `private`.
 *
 * @example
 * ```ts
 * const key: PrivateKeyInput = JSON.parse(await readFile('/etc/secrets/client-key.jwk', 'utf8'))
 * ```
 */
export type PrivateKeyInput = string | Buffer | KeyObject | PrivateJwk

/**
 * A private JSON Web Key (RFC 7517): `kty`, the private part `d`, optionally `kid` and `alg`.
 *
 * @example
 * ```ts
 * const jwk: PrivateJwk = { kty: 'OKP', crv: 'Ed25519', x: '...', d: '...', kid: 'worker-2026' }
 * ```
 */
export interface PrivateJwk {
  kty: string
  d?: string
  kid?: string
  alg?: string
  crv?: string
  [member: string]: unknown
}

/** A key ready to sign: the key, the algorithms it can do (preferred first), its `kid`. */
export interface SigningKey {
  key: KeyObject
  algorithms: readonly SigningAlgorithm[]
  kid: string | undefined
}

const RSA: readonly SigningAlgorithm[] = ['RS256', 'PS256', 'RS384', 'PS384', 'RS512', 'PS512']
const CURVES: Record<string, SigningAlgorithm> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
}

const isKeyObject = (v: unknown): v is KeyObject =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as KeyObject).asymmetricKeyType === 'string' &&
  typeof (v as KeyObject).export === 'function'

/**
 * Imports a private key for signing; `option` names it in errors, which never quote key material.
 * A public key, a curve JOSE cannot sign with, or an algorithm the key cannot do is a
 * {@link ConfigurationError} here, at creation.
 */
export function importSigningKey(option: string, input: unknown, passphrase?: string): SigningKey {
  let key: KeyObject
  let kid: string | undefined
  if (isKeyObject(input)) {
    if (input.type !== 'private') {
      throw new ConfigurationError(
        option,
        `it is a ${input.type} key, which cannot sign`,
        'pass the private key (the server keeps the public one)',
      )
    }
    key = input
  } else if (typeof input === 'string' || Buffer.isBuffer(input)) {
    const text = Buffer.isBuffer(input) ? input.toString('utf8') : input
    if (
      /-----BEGIN (RSA )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(text) &&
      !/PRIVATE KEY-----/.test(text)
    ) {
      throw new ConfigurationError(
        option,
        'it holds a public key or certificate, which cannot sign',
        'pass the PEM private key (BEGIN PRIVATE KEY)',
      )
    }
    try {
      key = createPrivateKey(
        passphrase === undefined ? { key: text, format: 'pem' } : { key: text, format: 'pem', passphrase },
      )
    } catch {
      throw new ConfigurationError(
        option,
        'it is not a readable PEM private key (or the passphrase is wrong)',
        'pass PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 (BEGIN RSA PRIVATE KEY) or SEC1 (BEGIN EC PRIVATE KEY) text, a private JWK, or a KeyObject',
      )
    }
  } else if (typeof input === 'object' && input !== null && typeof (input as PrivateJwk).kty === 'string') {
    const jwk = input as PrivateJwk
    if (typeof jwk.d !== 'string') {
      throw new ConfigurationError(
        option,
        'the JWK has no private part (d): it is a public key, which cannot sign',
        'pass the private JWK',
      )
    }
    try {
      key = createPrivateKey({ key: jwk, format: 'jwk' })
    } catch {
      throw new ConfigurationError(
        option,
        `the ${jwk.kty} JWK cannot be imported`,
        'pass an RSA, EC (P-256/P-384/P-521) or OKP (Ed25519) private JWK',
      )
    }
    if (typeof jwk.kid === 'string' && jwk.kid !== '') kid = jwk.kid
  } else {
    throw new ConfigurationError(option, 'it is not a key', 'pass PEM text, a private JWK, or a KeyObject')
  }
  return { key, algorithms: algorithmsOf(option, key), kid }
}

function algorithmsOf(option: string, key: KeyObject): readonly SigningAlgorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return RSA
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512']
    case 'ed25519':
      return ['EdDSA']
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve ?? ''
      const alg = CURVES[curve]
      if (alg === undefined) {
        throw new ConfigurationError(
          option,
          `the EC curve ${curve} cannot sign a JWS`,
          'use a P-256, P-384 or P-521 key (or RSA, Ed25519)',
        )
      }
      return [alg]
    }
    default:
      throw new ConfigurationError(
        option,
        `a ${String(key.asymmetricKeyType)} key cannot sign a JWS`,
        'use an RSA, EC (P-256/P-384/P-521) or Ed25519 key',
      )
  }
}

/**
 * The algorithm to sign with: the one asked for (it must suit the key), else the key's first
 * that the server lists. `serverAlgs` (from discovery) undefined means the server did not say.
 */
export function chooseAlgorithm(
  option: string,
  key: SigningKey,
  requested: string | undefined,
  serverAlgs: readonly string[] | undefined,
  serverField: string,
): SigningAlgorithm {
  if (requested !== undefined) {
    if (!key.algorithms.includes(requested as SigningAlgorithm)) {
      throw new ConfigurationError(
        `${option}.algorithm`,
        `${JSON.stringify(requested)} cannot be used with this ${key.key.asymmetricKeyType ?? ''} key`,
        `use one of ${key.algorithms.join(', ')}, or omit algorithm`,
      )
    }
    if (serverAlgs !== undefined && !serverAlgs.includes(requested)) {
      throw new ConfigurationError(
        `${option}.algorithm`,
        `the server does not accept ${requested} (its ${serverField} lists ${serverAlgs.join(', ') || 'nothing'})`,
        'use an algorithm the server lists, with a key that can do it',
      )
    }
    return requested as SigningAlgorithm
  }
  if (serverAlgs === undefined) return key.algorithms[0]!
  const usable = key.algorithms.find((a) => serverAlgs.includes(a))
  if (usable === undefined) {
    throw new ConfigurationError(
      option,
      `this ${key.key.asymmetricKeyType ?? ''} key signs ${key.algorithms.join('/')}, but the server's ${serverField} lists only ${serverAlgs.join(', ') || 'nothing'}`,
      'register and pass a key of a type the server accepts',
    )
  }
  return usable
}
