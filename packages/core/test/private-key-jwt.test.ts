import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { clientSecretJwt, ConfigurationError, privateKeyJwt } from '../src/index.js'

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()

function configError(f: () => unknown): ConfigurationError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError)
    const message = (e as Error).message
    expect(message).not.toContain('-----')
    expect(message).not.toMatch(/"d"|MIG|MHc/)
    return e as ConfigurationError
  }
  throw new Error('expected a ConfigurationError')
}

describe('privateKeyJwt: keys that cannot sign', () => {
  it('accepts PEM, a private JWK and a KeyObject', () => {
    expect(privateKeyJwt(pem).kind).toBe('private_key_jwt')
    expect(privateKeyJwt(ec.privateKey.export({ format: 'jwk' }) as never).kind).toBe('private_key_jwt')
    expect(privateKeyJwt(ec.privateKey).kind).toBe('private_key_jwt')
  })

  it('refuses a public key (KeyObject, PEM, JWK without d)', () => {
    expect(configError(() => privateKeyJwt(ec.publicKey)).message).toMatch(/public key, which cannot sign/)
    const publicPem = ec.publicKey.export({ format: 'pem', type: 'spki' }).toString()
    expect(configError(() => privateKeyJwt(publicPem)).option).toBe('privateKeyJwt')
    expect(configError(() => privateKeyJwt(ec.publicKey.export({ format: 'jwk' }) as never)).message).toMatch(
      /no private part/,
    )
  })

  it('refuses a curve JOSE cannot sign with', () => {
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
    expect(configError(() => privateKeyJwt(k1.privateKey)).message).toMatch(/curve secp256k1 cannot sign/)
    const x = generateKeyPairSync('x25519')
    expect(configError(() => privateKeyJwt(x.privateKey)).message).toMatch(/x25519 key cannot sign/)
  })

  it('refuses an algorithm the key cannot do, naming the option', () => {
    const e = configError(() => privateKeyJwt(pem, { algorithm: 'ES384' }))
    expect(e.option).toBe('privateKeyJwt.algorithm')
    expect(e.fix).toContain('ES256')
    expect(configError(() => privateKeyJwt(ec.privateKey, { algorithm: 'RS256' })).option).toBe(
      'privateKeyJwt.algorithm',
    )
  })

  it('refuses garbage and a wrong passphrase without quoting them', () => {
    expect(configError(() => privateKeyJwt('not a key')).message).not.toContain('not a key')
    const encrypted = ec.privateKey
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'right-pass' })
      .toString()
    expect(configError(() => privateKeyJwt(encrypted, { passphrase: 'wrong-pass' })).message).not.toContain(
      'wrong-pass',
    )
    expect(privateKeyJwt(encrypted, { passphrase: 'right-pass' }).kind).toBe('private_key_jwt')
  })

  it('does not show the key when the credential is logged', () => {
    const c = privateKeyJwt(pem)
    expect(JSON.stringify(c)).not.toContain('PRIVATE')
  })
})

describe('clientSecretJwt', () => {
  it('refuses an empty secret and a non-HMAC algorithm', () => {
    expect(configError(() => clientSecretJwt('')).option).toBe('clientSecretJwt')
    expect(configError(() => clientSecretJwt('s3cret-value', { algorithm: 'RS256' as never })).option).toBe(
      'clientSecretJwt.algorithm',
    )
  })

  it('never shows the secret when logged', () => {
    const c = clientSecretJwt('s3cret-value-123')
    expect(JSON.stringify(c)).not.toContain('s3cret')
    expect(String(Object.values(c))).not.toContain('s3cret')
  })
})
