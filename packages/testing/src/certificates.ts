import { createHash, createPrivateKey } from 'node:crypto'
import { isIP } from 'node:net'
import { ensureReflectMetadata } from './reflect-metadata.js'

/**
 * Options of {@link createTestCertificate}.
 *
 * @example
 * ```ts
 * const expired = await createTestCertificate({ days: -1 })
 * ```
 */
export interface TestCertificateOptions {
  /** Subject and issuer CN; default `'apptoken-test'`. */
  commonName?: string
  /** Validity in days from now; default 365. Negative: expired that many days ago. */
  days?: number
  /** RSA modulus length; default 2048. */
  keySize?: number
  /**
   * Host names and IP addresses for the subjectAltName extension, so a TLS client can verify a
   * server using this certificate (e.g. `['127.0.0.1', 'localhost']` with `startTestAuthority({ https })`).
   */
  hosts?: string[]
}

/**
 * A self-signed certificate with its private key and the thumbprints Entra uses.
 *
 * @example
 * ```ts
 * const cert = await createTestCertificate()
 * authority.registerClient({ clientId: 'my-app', certificates: [cert.certificate] })
 * clientCertificate({ certificate: cert.certificate, privateKey: cert.privateKey })
 * ```
 */
export interface TestCertificate {
  /** PEM certificate. */
  certificate: string
  /** Unencrypted PKCS#8 PEM private key. */
  privateKey: string
  /** SHA-1 thumbprint, upper-case hex (as the Azure portal shows it). */
  thumbprintSha1: string
  /** SHA-256 thumbprint, upper-case hex. */
  thumbprintSha256: string
  /** base64url SHA-1 of the DER certificate: the `x5t` header. */
  x5t: string
  /** base64url SHA-256 of the DER certificate: the `x5t#S256` header. */
  x5tS256: string
  /** Private key then certificate, one file, as Azure CLI writes it. */
  combinedPem: string
  notBefore: Date
  notAfter: Date
}

const DAY_MS = 86_400_000

/**
 * Creates a self-signed RSA certificate (RSA 2048, SHA-256) for client certificate tests.
 *
 * @example
 * ```ts
 * const cert = await createTestCertificate({ commonName: 'my-daemon' })
 * const authority = await startTestAuthority({ clients: [{ clientId: 'my-daemon', certificates: [cert.certificate] }] })
 * ```
 */
export async function createTestCertificate(options: TestCertificateOptions = {}): Promise<TestCertificate> {
  ensureReflectMetadata()
  const x509 = await import('@peculiar/x509')
  const days = options.days ?? 365
  const now = Date.now()
  // An expired certificate was valid for a while before: start a day before it ended.
  const notAfter = new Date(now + days * DAY_MS)
  const notBefore = new Date(days > 0 ? now - 60_000 : notAfter.getTime() - DAY_MS)
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: options.keySize ?? 2048,
  }
  const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16)))
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      name: `CN=${options.commonName ?? 'apptoken-test'}`,
      notBefore,
      notAfter,
      signingAlgorithm: algorithm,
      keys,
      extensions: options.hosts?.length
        ? [
            new x509.SubjectAlternativeNameExtension(
              options.hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h })),
            ),
          ]
        : [],
    },
    crypto,
  )
  const der = Buffer.from(cert.rawData)
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey))
  const certificate = pem('CERTIFICATE', der)
  const privateKey = pem('PRIVATE KEY', pkcs8)
  const sha1 = createHash('sha1').update(der).digest()
  const sha256 = createHash('sha256').update(der).digest()
  return {
    certificate,
    privateKey,
    thumbprintSha1: sha1.toString('hex').toUpperCase(),
    thumbprintSha256: sha256.toString('hex').toUpperCase(),
    x5t: sha1.toString('base64url'),
    x5tS256: sha256.toString('base64url'),
    combinedPem: privateKey + certificate,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  }
}

/**
 * Encrypts a PEM private key with a passphrase (encrypted PKCS#8, AES-256-CBC), for tests of
 * passphrase-protected keys.
 *
 * @example
 * ```ts
 * const encrypted = encryptPrivateKey(cert.privateKey, 'correct horse')
 * clientCertificate({ certificate: cert.certificate, privateKey: encrypted, passphrase: 'correct horse' })
 * ```
 */
export function encryptPrivateKey(privateKeyPem: string, passphrase: string): string {
  return createPrivateKey(privateKeyPem)
    .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase })
    .toString()
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}
