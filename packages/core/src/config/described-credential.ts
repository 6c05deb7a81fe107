import { extname, resolve } from 'node:path'
import type { ClientCredential } from '../credential.js'
import {
  createCertificateCredential,
  type CertificateOptionNames,
} from '../credentials/client-certificate.js'
import { clientSecret } from '../credentials/client-secret.js'
import { envValue, type Environment } from '../credentials/environment.js'
import { managedIdentityAssertion } from '../credentials/managed-identity-assertion.js'
import { managedIdentity } from '../credentials/managed-identity.js'
import { tokenFileCredential } from '../credentials/workload-identity.js'
import { ConfigurationError } from '../errors.js'
import { isObject, text } from './settings-json.js'

/** The `SourceType`s apptoken reads. */
export const SUPPORTED =
  'ClientSecret, Path, Base64Encoded, SignedAssertionFilePath, SignedAssertionFromManagedIdentity'
const PFX_FIX =
  'convert it to PEM (openssl pkcs12 -in cert.pfx -out cert.pem -nodes) and point CertificateDiskPath at the .pem file'

function certificateNames(path: string, source: string): CertificateOptionNames {
  return {
    path: `${path}.CertificateDiskPath`,
    certificate: `${path}.${source}`,
    privateKey: `${path}.${source}`,
    passphrase: `${path}.CertificatePassword`,
    algorithm: `${path}.SourceType`,
  }
}

/** The credential one `ClientCredentials` entry describes; errors name the entry (`AzureAd.ClientCredentials[0].CertificateDiskPath`). */
export function describedCredential(
  entry: unknown,
  path: string,
  ctx: { baseDir: string; sendX5c: boolean; env: Environment },
): ClientCredential {
  if (!isObject(entry))
    throw new ConfigurationError(
      path,
      'it is not an object',
      'write { "SourceType": "Path", "CertificateDiskPath": "cert.pem" }',
    )
  const sourceType = text(entry, 'SourceType', path)
  const password = text(entry, 'CertificatePassword', path)
  const passphrase = password === undefined ? {} : { passphrase: password }
  switch (sourceType?.toLowerCase()) {
    case 'clientsecret': {
      const secret = text(entry, 'ClientSecret', path)
      if (secret === undefined)
        throw new ConfigurationError(
          `${path}.ClientSecret`,
          'it is missing',
          "set it to the client secret's Value",
        )
      return clientSecret(secret)
    }
    case 'path': {
      const file = text(entry, 'CertificateDiskPath', path)
      if (file === undefined)
        throw new ConfigurationError(
          `${path}.CertificateDiskPath`,
          'it is missing',
          'set it to a PEM file holding the private key and the certificate',
        )
      if (['.pfx', '.p12'].includes(extname(file).toLowerCase())) {
        throw new ConfigurationError(
          `${path}.CertificateDiskPath`,
          `${file} is a PKCS#12 file, which apptoken reads only as PEM`,
          PFX_FIX,
        )
      }
      return createCertificateCredential(
        { path: resolve(ctx.baseDir, file), sendCertificateChain: ctx.sendX5c, ...passphrase },
        certificateNames(path, 'CertificateDiskPath'),
      )
    }
    case 'base64encoded': {
      const value = text(entry, 'Base64EncodedValue', path)
      if (value === undefined)
        throw new ConfigurationError(
          `${path}.Base64EncodedValue`,
          'it is missing',
          'set it to the base64 of a PEM file holding the private key and the certificate',
        )
      const decoded = Buffer.from(value, 'base64')
      if (!decoded.includes('-----BEGIN')) {
        throw new ConfigurationError(
          `${path}.Base64EncodedValue`,
          'it does not hold PEM text (a base64 PKCS#12/.pfx, as .NET uses, is not supported)',
          'store the base64 of a PEM file with the key and the certificate: openssl pkcs12 -in cert.pfx -nodes | base64 -w0',
        )
      }
      return createCertificateCredential(
        { certificate: decoded, sendCertificateChain: ctx.sendX5c, ...passphrase },
        certificateNames(path, 'Base64EncodedValue'),
      )
    }
    case 'signedassertionfilepath': {
      const option = `${path}.SignedAssertionFileDiskPath`
      const file =
        text(entry, 'SignedAssertionFileDiskPath', path) ?? envValue(ctx.env, 'AZURE_FEDERATED_TOKEN_FILE')
      const fix = `set ${option} to the federated token file, or AZURE_FEDERATED_TOKEN_FILE`
      if (file === undefined)
        throw new ConfigurationError(option, 'it is missing and AZURE_FEDERATED_TOKEN_FILE is not set', fix)
      return tokenFileCredential('signed_assertion_file', resolve(ctx.baseDir, file), {
        option,
        origin: '',
        fix,
      })
    }
    case 'signedassertionfrommanagedidentity': {
      const clientId = text(entry, 'ManagedIdentityClientId', path)
      const identity = managedIdentity({ env: ctx.env, ...(clientId === undefined ? {} : { clientId }) })
      const audience = text(entry, 'TokenExchangeUrl', path)
      return managedIdentityAssertion(identity, audience === undefined ? {} : { audience })
    }
    case undefined:
      throw new ConfigurationError(`${path}.SourceType`, 'it is missing', `set it to one of ${SUPPORTED}`)
    default:
      throw new ConfigurationError(
        `${path}.SourceType`,
        `${JSON.stringify(sourceType)} is not supported by apptoken`,
        `use one of ${SUPPORTED} (for a certificate in Key Vault or a certificate store, export it to a PEM file and use Path)`,
      )
  }
}
