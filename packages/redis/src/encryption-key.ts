import { hkdfSync, scryptSync } from 'node:crypto'
import { ConfigurationError } from '@apptoken/core'

/**
 * Key material for encryption at rest: 32 random bytes (a `Buffer`/`Uint8Array`, or that as a
 * 64-character hex or 44-character base64 string), or a passphrase of at least 16 characters.
 *
 * @example
 * ```ts
 * // openssl rand -base64 32  →  APPTOKEN_REDIS_KEY
 * const encryptionKey: EncryptionKey = process.env.APPTOKEN_REDIS_KEY!
 * ```
 */
export type EncryptionKey = Uint8Array | string

const KEY_BYTES = 32
const MIN_PASSPHRASE = 16
const HEX_KEY = /^[0-9a-fA-F]{64}$/
const BASE64_KEY = /^(?:[A-Za-z0-9+/]{43}=|[A-Za-z0-9_-]{43})$/
// Every replica must derive the same key from the same passphrase, so the salt is fixed; it
// still keeps apptoken's derived keys apart from any other use of the passphrase.
const PASSPHRASE_SALT = 'apptoken/redis/passphrase/v1'
const HKDF_INFO = 'apptoken/redis/aes-256-gcm/v1'
const FIX =
  'pass 32 random bytes, e.g. the output of `openssl rand -base64 32`, or a passphrase of at least 16 characters'

function keyBytes(option: string, key: unknown): Uint8Array {
  if (key instanceof Uint8Array) {
    if (key.length !== KEY_BYTES)
      throw new ConfigurationError(option, `a binary key must be ${KEY_BYTES} bytes, got ${key.length}`, FIX)
    return key
  }
  if (typeof key !== 'string')
    throw new ConfigurationError(option, 'it is neither a string nor a Buffer', FIX)
  if (HEX_KEY.test(key)) return Buffer.from(key, 'hex')
  if (BASE64_KEY.test(key)) return Buffer.from(key, key.endsWith('=') ? 'base64' : 'base64url')
  if (key.length < MIN_PASSPHRASE)
    throw new ConfigurationError(option, `a passphrase must have at least ${MIN_PASSPHRASE} characters`, FIX)
  // scrypt makes guessing a weak passphrase from a stolen value slow; it runs once, at startup.
  return scryptSync(key.normalize('NFC'), PASSPHRASE_SALT, KEY_BYTES, {
    N: 1 << 15,
    r: 8,
    p: 1,
    maxmem: 64 * 1024 * 1024,
  })
}

/**
 * Turns each configured key into an AES-256 key. HKDF separates the key used here from any other
 * use of the same bytes. The first key encrypts; every key is tried when decrypting, so a new key
 * can be rolled out in front of the old one.
 */
export function deriveKeys(encryptionKey: EncryptionKey | readonly EncryptionKey[]): Buffer[] {
  const list = Array.isArray(encryptionKey)
    ? (encryptionKey as readonly EncryptionKey[])
    : [encryptionKey as EncryptionKey]
  if (list.length === 0) throw new ConfigurationError('encryptionKey', 'the list of keys is empty', FIX)
  return list.map((key, i) => {
    const bytes = keyBytes(list.length === 1 ? 'encryptionKey' : `encryptionKey[${i}]`, key)
    return Buffer.from(hkdfSync('sha256', bytes, Buffer.alloc(0), HKDF_INFO, KEY_BYTES))
  })
}
