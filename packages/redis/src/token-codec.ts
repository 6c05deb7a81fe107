import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { CachedToken } from '@apptoken/core'

/** Why a stored value was not used. */
export type BadValueReason = 'malformed' | 'decrypt_failed' | 'plaintext_refused' | 'encrypted_without_key'

/** A decoded value: the token, or why there is none. */
export type Decoded = { token: CachedToken; bad?: undefined } | { token?: undefined; bad: BadValueReason }

const PLAIN = 'p1'
const ENCRYPTED = 'e1'
const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * Encodes tokens as `<version>.<expiresAt>.<payload>`: `p1` with a JSON payload, or `e1` with
 * base64url(iv | tag | AES-256-GCM ciphertext). The expiry stays readable so the store script can
 * keep the longer-lived of two tokens without decrypting; it is authenticated with the Redis key
 * name, so a value cannot be moved to another key (another tenant or scope) or have its expiry
 * changed without failing to decrypt.
 */
export class TokenCodec {
  readonly #keys: readonly Buffer[]

  /** `keys`: AES-256 keys, the first used to encrypt; none stores JSON in the clear. */
  constructor(keys: readonly Buffer[]) {
    this.#keys = keys
  }

  get encrypted(): boolean {
    return this.#keys.length > 0
  }

  encode(redisKey: string, token: CachedToken): string {
    const expiresAt = Math.floor(token.expiresAt)
    const json = JSON.stringify({
      accessToken: token.accessToken,
      tokenType: token.tokenType,
      expiresAt: token.expiresAt,
      refreshAt: token.refreshAt,
      scopes: token.scopes,
      tenantId: token.tenantId,
    })
    const key = this.#keys[0]
    if (key === undefined) return `${PLAIN}.${expiresAt}.${json}`
    const header = `${ENCRYPTED}.${expiresAt}`
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    cipher.setAAD(aad(redisKey, header))
    const ciphertext = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()])
    return `${header}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`
  }

  decode(redisKey: string, value: string): Decoded {
    const first = value.indexOf('.')
    const second = value.indexOf('.', first + 1)
    if (first < 0 || second < 0) return { bad: 'malformed' }
    const version = value.slice(0, first)
    const expiresAt = value.slice(first + 1, second)
    const payload = value.slice(second + 1)
    if (!/^\d{1,16}$/.test(expiresAt)) return { bad: 'malformed' }
    let json: string
    if (version === PLAIN) {
      // With a key configured, an unauthenticated value could be a token planted by whoever can
      // write to Redis; it is never used.
      if (this.encrypted) return { bad: 'plaintext_refused' }
      json = payload
    } else if (version === ENCRYPTED) {
      if (!this.encrypted) return { bad: 'encrypted_without_key' }
      const opened = this.#decrypt(redisKey, `${version}.${expiresAt}`, payload)
      if (opened === undefined) return { bad: 'decrypt_failed' }
      json = opened
    } else {
      return { bad: 'malformed' }
    }
    const token = parseToken(json)
    if (token === undefined || Math.floor(token.expiresAt) !== Number(expiresAt)) return { bad: 'malformed' }
    return { token }
  }

  #decrypt(redisKey: string, header: string, payload: string): string | undefined {
    const bytes = Buffer.from(payload, 'base64url')
    if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined
    const iv = bytes.subarray(0, IV_BYTES)
    const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES)
    const ciphertext = bytes.subarray(IV_BYTES + TAG_BYTES)
    for (const key of this.#keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
        decipher.setAAD(aad(redisKey, header))
        decipher.setAuthTag(tag)
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
      } catch {
        // Wrong key (or a tampered value): try the next key.
      }
    }
    return undefined
  }
}

function aad(redisKey: string, header: string): Buffer {
  return Buffer.from(`${redisKey}\n${header}`, 'utf8')
}

function parseToken(json: string): CachedToken | undefined {
  let data: unknown
  try {
    data = JSON.parse(json)
  } catch {
    return undefined
  }
  if (typeof data !== 'object' || data === null) return undefined
  const t = data as Record<string, unknown>
  const valid =
    typeof t.accessToken === 'string' &&
    t.accessToken !== '' &&
    typeof t.tokenType === 'string' &&
    typeof t.expiresAt === 'number' &&
    Number.isFinite(t.expiresAt) &&
    typeof t.refreshAt === 'number' &&
    Number.isFinite(t.refreshAt) &&
    Array.isArray(t.scopes) &&
    t.scopes.every((s) => typeof s === 'string') &&
    typeof t.tenantId === 'string'
  if (!valid) return undefined
  return {
    accessToken: t.accessToken as string,
    tokenType: t.tokenType as string,
    expiresAt: t.expiresAt as number,
    refreshAt: t.refreshAt as number,
    scopes: t.scopes as string[],
    tenantId: t.tenantId as string,
  }
}
