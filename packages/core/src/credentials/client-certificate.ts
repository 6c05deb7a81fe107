import type { ClientAuthentication, ClientCredential, CredentialContext } from '../credential.js'
import { ConfigurationError } from '../errors.js'
import { assertionForm, signClientAssertion, type AssertionAlgorithm } from './assertion.js'
import type { CertificateMaterial } from './certificate-material.js'
import { fileSource, inlineSource, type Source } from './certificate-source.js'
import { firstOf } from './first-of.js'
import { warnAboutValidity } from './certificate-validity.js'
import { WatchedFile } from './watched-file.js'

/**
 * Options of {@link clientCertificate}: PEM text (`certificate` + `privateKey`) or a PEM file (`path`).
 *
 * @example
 * ```ts
 * const options: ClientCertificateOptions = { path: '/etc/secrets/app.pem', passphrase: process.env.CERT_PASSWORD }
 * ```
 */
export interface ClientCertificateOptions {
  /** PEM certificate (a chain may follow the leaf). May also hold the key: a combined PEM. */
  certificate?: string | Buffer
  /** PEM private key: PKCS#8 (`BEGIN PRIVATE KEY` / `BEGIN ENCRYPTED PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`). */
  privateKey?: string | Buffer
  /** Password of an encrypted private key. */
  passphrase?: string
  /**
   * A PEM file holding the key and the certificate (chain), as `az ad sp create-for-rbac
   * --create-cert` writes. Re-read when it changes, so a rotated certificate is used at once.
   */
  path?: string
  /** Send the chain in the `x5c` header (needed for subject name + issuer authentication). Default false. */
  sendCertificateChain?: boolean
  /** `PS256` with `x5t#S256` (default), or `RS256` with `x5t` for authorities that lack PS256. */
  algorithm?: AssertionAlgorithm
  /**
   * Warn (log event `credential_expiring`, channel `apptoken:credential-expiring`) when the
   * certificate expires within this many days, at first use and after each reload. Default 30.
   */
  expiryWarningDays?: number
}

/** Option names used in errors; fromAppSettings passes its own (`AzureAd.ClientCredentials[0]...`). */
export interface CertificateOptionNames {
  path: string
  certificate: string
  privateKey: string
  passphrase: string
  algorithm: string
  expiryWarningDays?: string
}

const OWN_NAMES: CertificateOptionNames = {
  path: 'path',
  certificate: 'certificate',
  privateKey: 'privateKey',
  passphrase: 'passphrase',
  algorithm: 'algorithm',
  expiryWarningDays: 'expiryWarningDays',
}
class CertificateCredential implements ClientCredential {
  readonly kind = 'client_certificate'
  readonly #source: Source
  readonly #algorithm: AssertionAlgorithm
  readonly #sendChain: boolean
  readonly #warningDays: number
  #used: CertificateMaterial | undefined

  constructor(source: Source, algorithm: AssertionAlgorithm, sendChain: boolean, warningDays: number) {
    this.#source = source
    this.#algorithm = algorithm
    this.#sendChain = sendChain
    this.#warningDays = warningDays
  }

  async authenticate(ctx: CredentialContext): Promise<ClientAuthentication> {
    const source = this.#source
    if (source instanceof WatchedFile) await source.refresh(ctx.logger)
    const material = source instanceof WatchedFile ? source.value : source
    this.#used = material
    warnAboutValidity(material, ctx, this.#warningDays)
    // Signed per token request, never cached: a replayed jti is refused by strict servers, and
    // signing costs about a millisecond next to a network round trip.
    const assertion = await signClientAssertion(material, {
      clientId: ctx.clientId,
      audience: ctx.tokenEndpoint,
      nowMs: ctx.clock.now(),
      algorithm: this.#algorithm,
      sendCertificateChain: this.#sendChain,
    })
    return { form: assertionForm(assertion) }
  }

  async onRejected(): Promise<boolean> {
    const source = this.#source
    if (!(source instanceof WatchedFile)) return false
    // The file may have been replaced in a way its size and mtime do not show; read it again and
    // retry only if that produced another certificate.
    await source.refresh(undefined, true)
    return source.value.x5tS256 !== this.#used?.x5tS256
  }
}

/** Builds one certificate credential, naming options as `names` says. */
export function createCertificateCredential(
  options: ClientCertificateOptions,
  names: CertificateOptionNames = OWN_NAMES,
): ClientCredential {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      names.certificate,
      'no certificate options were given',
      'pass { path } or { certificate, privateKey }',
    )
  }
  const algorithm = options.algorithm ?? 'PS256'
  if (algorithm !== 'PS256' && algorithm !== 'RS256') {
    throw new ConfigurationError(
      names.algorithm,
      `${JSON.stringify(algorithm)} is not supported`,
      "use 'PS256' (default) or 'RS256'",
    )
  }
  const warningDays = options.expiryWarningDays ?? 30
  if (typeof warningDays !== 'number' || !Number.isFinite(warningDays) || warningDays < 0) {
    throw new ConfigurationError(
      names.expiryWarningDays ?? 'expiryWarningDays',
      `${JSON.stringify(warningDays)} is not a number of days`,
      'pass a number of days >= 0 (default 30), or omit it',
    )
  }
  const inline = options.certificate !== undefined || options.privateKey !== undefined
  if (options.path !== undefined && inline) {
    throw new ConfigurationError(
      names.path,
      'both a path and certificate/privateKey were given',
      'pass either path (one PEM file) or certificate and privateKey',
    )
  }
  if (options.path === undefined && !inline) {
    throw new ConfigurationError(
      names.certificate,
      'no certificate was given',
      'pass path (a PEM file with the key and the certificate) or certificate and privateKey (PEM text)',
    )
  }
  const source =
    options.path !== undefined
      ? fileSource(options.path, options.passphrase, names)
      : inlineSource(options, names)
  rejectExpired(source instanceof WatchedFile ? source.value : source, options.path, names)
  return new CertificateCredential(source, algorithm, options.sendCertificateChain === true, warningDays)
}

/** An expired certificate fails at creation: Entra ID would refuse every assertion it signs. */
function rejectExpired(
  material: CertificateMaterial,
  path: string | undefined,
  names: CertificateOptionNames,
): void {
  if (material.notAfter.getTime() > Date.now()) return
  throw new ConfigurationError(
    path !== undefined ? names.path : names.certificate,
    `the certificate${path !== undefined ? ` in ${path}` : ''} (x5t#S256 ${material.x5tS256}) expired on ${material.notAfter.toISOString()}`,
    'create a new certificate, upload its public part to the app registration (Certificates & secrets), ' +
      'and deploy it with its key here; list both in clientCertificate([...]) to rotate without downtime',
  )
}

/**
 * Authenticates with a certificate: each token request carries a freshly signed JWT client
 * assertion (PS256 with `x5t#S256` by default). The key is imported and the thumbprints computed
 * once; a `path` is re-read when the file changes, and when Entra ID rejects the certificate the
 * file is read again and the request retried once. Pass a list for planned rotation: the first
 * certificate that works is used, and a rejected one hands over to the next.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({
 *   tenantId, clientId,
 *   credential: clientCertificate({ path: '/etc/secrets/app-cert.pem' }),
 * })
 * // Rotation: the new certificate first, the old one as fallback until it is removed.
 * clientCertificate([{ path: '/etc/secrets/new.pem' }, { path: '/etc/secrets/old.pem' }])
 * ```
 */
export function clientCertificate(
  options: ClientCertificateOptions | readonly ClientCertificateOptions[],
): ClientCredential {
  if (!Array.isArray(options)) return createCertificateCredential(options as ClientCertificateOptions)
  const list = options as readonly ClientCertificateOptions[]
  if (list.length === 0)
    throw new ConfigurationError(
      'clientCertificate',
      'the list of certificates is empty',
      'pass at least one { path } or { certificate, privateKey }',
    )
  const credentials = list.map((item, i) => {
    const at = (name: string) => `[${i}].${name}`
    return createCertificateCredential(item, {
      path: at('path'),
      certificate: at('certificate'),
      privateKey: at('privateKey'),
      passphrase: at('passphrase'),
      algorithm: at('algorithm'),
      expiryWarningDays: at('expiryWarningDays'),
    })
  })
  return credentials.length === 1 ? credentials[0]! : firstOf(...credentials)
}
