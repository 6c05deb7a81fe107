import { ConfigurationError } from '../errors.js'
import {
  loadCertificateMaterial,
  type CertificateMaterial,
  type MaterialNames,
} from './certificate-material.js'
import type { CertificateOptionNames, ClientCertificateOptions } from './client-certificate.js'
import { WatchedFile } from './watched-file.js'

const readError = (option: string, path: string) => (error: unknown) => {
  const code = (error as { code?: string }).code
  const why =
    code === 'ENOENT'
      ? 'it does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'this process may not read it'
        : code === 'EISDIR'
          ? 'it is a directory'
          : `it cannot be read${code ? ` (${code})` : ''}`
  return new ConfigurationError(
    option,
    `cannot read the certificate file ${path}: ${why}`,
    'pass the path of a readable PEM file holding the private key and the certificate',
  )
}

/** A certificate given inline, or a file watched for rotation. */
export type Source = CertificateMaterial | WatchedFile<CertificateMaterial>

/** The certificate and key in a PEM file, reloaded when the file changes. */
export function fileSource(
  path: string,
  passphrase: string | undefined,
  names: CertificateOptionNames,
): Source {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new ConfigurationError(
      names.path,
      'it is empty',
      'pass the path of a PEM file holding the private key and the certificate',
    )
  }
  const materialNames: MaterialNames = {
    certificate: names.path,
    privateKey: names.path,
    passphrase: names.passphrase,
    where: `the file ${path}`,
  }
  return new WatchedFile(
    path,
    (content) => loadCertificateMaterial(content, passphrase, materialNames),
    readError(names.path, path),
  )
}

/** The certificate and key given as PEM text (one option or both). */
export function inlineSource(options: ClientCertificateOptions, names: CertificateOptionNames): Source {
  const given = (['certificate', 'privateKey'] as const).filter((k) => options[k] !== undefined)
  const shown = [...new Set(given.map((k) => names[k]))]
  const materialNames: MaterialNames = {
    certificate: names.certificate,
    privateKey: names.privateKey,
    passphrase: names.passphrase,
    where: `the ${shown.join(' and ')} option${shown.length > 1 ? 's' : ''}`,
  }
  // Certificate and key may come in either option, or both in one: a combined PEM.
  const parts = given.map((k) => Buffer.from(options[k]!))
  return loadCertificateMaterial(
    Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('\n'), p]))),
    options.passphrase,
    materialNames,
  )
}
