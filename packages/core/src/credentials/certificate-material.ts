import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { ConfigurationError } from '../errors.js'
import { isEncryptedKeyBlock, isPrivateKeyBlock, looksLikeDer, pemBlocks, type PemBlock } from './pem.js'

/** A certificate's private key and the header values of its assertions, computed once per load. */
export interface CertificateMaterial {
  key: KeyObject
  /** base64url SHA-1 of the leaf certificate's DER: the `x5t` header. */
  x5t: string
  /** base64url SHA-256 of the leaf certificate's DER: the `x5t#S256` header. */
  x5tS256: string
  /** base64 DER certificates, leaf first: the `x5c` header. */
  x5c: string[]
  notBefore: Date
  notAfter: Date
}

/** Option names to put in errors, so each names what the user actually wrote. */
export interface MaterialNames {
  certificate: string
  privateKey: string
  passphrase: string
  /** Where the PEM came from, e.g. `the file /etc/app/cert.pem`; shown in messages. */
  where: string
}

const PFX_FIX =
  'convert it to PEM first: openssl pkcs12 -in cert.pfx -out cert.pem -nodes (then protect cert.pem, or re-encrypt the key with openssl pkcs8 -topk8)'

/**
 * Imports a PEM certificate (chain) and its private key and checks they belong together. Every
 * problem is a {@link ConfigurationError} that names the option and never quotes key material.
 */
export function loadCertificateMaterial(
  pem: string | Buffer,
  passphrase: string | undefined,
  names: MaterialNames,
): CertificateMaterial {
  const bytes = typeof pem === 'string' ? Buffer.from(pem) : pem
  const blocks = pemBlocks(bytes.toString('utf8'))
  if (blocks.length === 0) {
    if (looksLikeDer(bytes)) {
      throw new ConfigurationError(
        names.certificate,
        `${names.where} is binary (DER or PKCS#12/.pfx), not PEM`,
        PFX_FIX,
      )
    }
    throw new ConfigurationError(
      names.certificate,
      `${names.where} contains no PEM block (a certificate or key between -----BEGIN and -----END lines)`,
      'pass the PEM text of the certificate and its private key, or a PEM file with both (as `az ad sp create-for-rbac --create-cert` writes)',
    )
  }
  const keyBlocks = blocks.filter(isPrivateKeyBlock)
  const certBlocks = blocks.filter((b) => b.label === 'CERTIFICATE')
  if (keyBlocks.length === 0) {
    throw new ConfigurationError(
      names.privateKey,
      `no private key block was found in ${names.where}`,
      'pass privateKey as well, or put the key and the certificate in one PEM file (cat key.pem cert.pem > combined.pem)',
    )
  }
  if (keyBlocks.length > 1) {
    throw new ConfigurationError(
      names.privateKey,
      `${names.where} contains ${keyBlocks.length} private keys`,
      'keep only the key of the certificate registered on the app',
    )
  }
  if (certBlocks.length === 0) {
    throw new ConfigurationError(
      names.certificate,
      `no certificate block was found in ${names.where}`,
      'pass certificate as well (the public certificate uploaded to the app registration), or put it in the same PEM file as the key',
    )
  }
  const key = importKey(keyBlocks[0]!, passphrase, names)
  const certificates = certBlocks.map((block, i) => parseCertificate(block, i, names))
  const leaf = certificates.find((c) => c.checkPrivateKey(key))
  if (leaf === undefined) {
    throw new ConfigurationError(
      names.privateKey,
      `the private key does not belong to ${certificates.length === 1 ? 'the certificate' : 'any certificate'} in ${names.where}`,
      'use the key generated with this certificate (the outputs of `openssl x509 -noout -pubkey -in cert.pem` and `openssl pkey -pubout -in key.pem` must be equal)',
    )
  }
  const chain = [leaf, ...certificates.filter((c) => c !== leaf)]
  return {
    key,
    x5t: createHash('sha1').update(leaf.raw).digest('base64url'),
    x5tS256: createHash('sha256').update(leaf.raw).digest('base64url'),
    x5c: chain.map((c) => c.raw.toString('base64')),
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
  }
}

function importKey(block: PemBlock, passphrase: string | undefined, names: MaterialNames): KeyObject {
  const encrypted = isEncryptedKeyBlock(block)
  if (encrypted && (passphrase === undefined || passphrase === '')) {
    throw new ConfigurationError(
      names.passphrase,
      `the private key in ${names.where} is encrypted and no passphrase was given`,
      `pass ${names.passphrase} (the password the key was exported with)`,
    )
  }
  let key: KeyObject
  try {
    key = createPrivateKey(
      encrypted
        ? { key: block.text, format: 'pem', passphrase: passphrase ?? '' }
        : { key: block.text, format: 'pem' },
    )
  } catch (error) {
    const code = (error as { code?: string }).code
    if (encrypted) {
      throw new ConfigurationError(
        names.passphrase,
        `it does not decrypt the private key in ${names.where}${code ? ` (${code})` : ''}`,
        'pass the password the key was exported with',
      )
    }
    throw new ConfigurationError(
      names.privateKey,
      `the private key in ${names.where} is not a valid PEM key${code ? ` (${code})` : ''}`,
      'pass the PEM key unmodified (PKCS#8, or PKCS#1 as OpenSSL writes it)',
    )
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigurationError(
      names.privateKey,
      `the private key in ${names.where} is an ${key.asymmetricKeyType ?? 'unknown'} key, not RSA`,
      'use an RSA certificate (Entra ID signs and verifies client assertions with RSA keys: PS256 or RS256)',
    )
  }
  return key
}

function parseCertificate(block: PemBlock, index: number, names: MaterialNames): X509Certificate {
  try {
    return new X509Certificate(block.text)
  } catch {
    throw new ConfigurationError(
      names.certificate,
      `certificate #${index + 1} in ${names.where} is not a valid X.509 certificate`,
      'pass the PEM certificate unmodified, including its -----BEGIN and -----END lines',
    )
  }
}
