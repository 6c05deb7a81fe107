import { X509Certificate, createHash, createPrivateKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createTestCertificate, encryptPrivateKey } from '../src/index.js'

describe('createTestCertificate', () => {
  it('creates a self-signed RSA 2048 certificate with Entra thumbprints', async () => {
    const cert = await createTestCertificate({ commonName: 'my-daemon' })
    const x509 = new X509Certificate(cert.certificate)

    expect(x509.subject).toBe('CN=my-daemon')
    expect(x509.verify(x509.publicKey)).toBe(true)
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
    expect(x509.fingerprint.replaceAll(':', '')).toBe(cert.thumbprintSha1)
    expect(x509.fingerprint256.replaceAll(':', '')).toBe(cert.thumbprintSha256)
    expect(cert.x5t).toBe(createHash('sha1').update(x509.raw).digest('base64url'))
    expect(cert.x5tS256).toBe(createHash('sha256').update(x509.raw).digest('base64url'))
    expect(x509.checkPrivateKey(createPrivateKey(cert.privateKey))).toBe(true)
    expect(cert.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    expect(cert.combinedPem).toBe(cert.privateKey + cert.certificate)
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now() + 364 * 86_400_000)
  })

  it('creates an already expired certificate for negative days', async () => {
    const cert = await createTestCertificate({ days: -2 })
    expect(new Date(new X509Certificate(cert.certificate).validTo).getTime()).toBeLessThan(
      Date.now() - 86_400_000,
    )
    expect(cert.notAfter.getTime()).toBeLessThan(Date.now())
  })
})

describe('encryptPrivateKey', () => {
  it('encrypts a key that only the passphrase opens', async () => {
    const { privateKey } = await createTestCertificate()
    const encrypted = encryptPrivateKey(privateKey, 'correct horse')
    expect(encrypted).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/)
    expect(() => createPrivateKey(encrypted)).toThrow()
    expect(() => createPrivateKey({ key: encrypted, passphrase: 'wrong' })).toThrow()
    expect(
      createPrivateKey({ key: encrypted, passphrase: 'correct horse' }).export({
        format: 'pem',
        type: 'pkcs8',
      }),
    ).toBe(privateKey)
  })
})
