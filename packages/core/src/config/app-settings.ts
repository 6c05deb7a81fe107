import { readFileSync } from 'node:fs'
import { dirname, extname, resolve } from 'node:path'
import { AzureCloud } from '../clouds.js'
import type { Credential } from '../credential.js'
import {
  createCertificateCredential,
  type CertificateOptionNames,
} from '../credentials/client-certificate.js'
import { clientSecret } from '../credentials/client-secret.js'
import { envValue, type Environment } from '../credentials/environment.js'
import { firstOf } from '../credentials/first-of.js'
import {
  managedIdentityAssertion,
  TOKEN_EXCHANGE_AUDIENCE,
} from '../credentials/managed-identity-assertion.js'
import { managedIdentity } from '../credentials/managed-identity.js'
import { tokenFileCredential } from '../credentials/workload-identity.js'
import { ConfigurationError } from '../errors.js'
import { parseJsonWithComments } from './jsonc.js'

/**
 * Options of {@link fromAppSettings}.
 *
 * @example
 * ```ts
 * fromAppSettings('appsettings.json', { section: 'DownstreamApis:Daemon' })
 * ```
 */
export interface AppSettingsOptions {
  /** The configuration section; `:` separates nested sections, as in .NET. Default `AzureAd`. */
  section?: string
  /** Directory relative certificate paths are resolved against. Default: the settings file's directory, else the working directory. */
  baseDir?: string
  /** Variables for `SignedAssertionFilePath` without a path (`AZURE_FEDERATED_TOKEN_FILE`). Default `process.env`. */
  env?: Environment
}

/**
 * What {@link fromAppSettings} read: spread it into `createTokenProvider`.
 *
 * @example
 * ```ts
 * const { credential, ...ids }: AppSettingsConfig = fromAppSettings('appsettings.json')
 * ```
 */
export interface AppSettingsConfig {
  tenantId: string
  clientId: string
  authorityHost: string
  credential: Credential
}

type Json = Record<string, unknown>

const SUPPORTED =
  'ClientSecret, Path, Base64Encoded, SignedAssertionFilePath, SignedAssertionFromManagedIdentity'
const PFX_FIX =
  'convert it to PEM (openssl pkcs12 -in cert.pfx -out cert.pem -nodes) and point CertificateDiskPath at the .pem file'

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** .NET configuration keys are case-insensitive. */
function get(obj: Json, key: string): unknown {
  if (key in obj) return obj[key]
  const lower = key.toLowerCase()
  const found = Object.keys(obj).find((k) => k.toLowerCase() === lower)
  return found === undefined ? undefined : obj[found]
}

function text(obj: Json, key: string, path: string): string | undefined {
  const value = get(obj, key)
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string')
    throw new ConfigurationError(
      `${path}.${key}`,
      `it is a ${typeof value}, not a string`,
      `write "${key}" as a JSON string`,
    )
  return value.trim() === '' ? undefined : value.trim()
}

const flag = (obj: Json, key: string): boolean => {
  const v = get(obj, key)
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true')
}

function load(source: string | Json): { settings: Json; where: string; dir: string | undefined } {
  if (isObject(source)) return { settings: source, where: 'the settings object', dir: undefined }
  if (typeof source !== 'string' || source.trim() === '') {
    throw new ConfigurationError(
      'appsettings',
      'no settings were given',
      'pass the path of appsettings.json, its JSON text, or the parsed object',
    )
  }
  const inline = source.trimStart().startsWith('{')
  const where = inline ? 'the settings JSON' : source
  let content = source
  if (!inline) {
    try {
      content = readFileSync(source, 'utf8')
    } catch (error) {
      const code = (error as { code?: string }).code
      throw new ConfigurationError(
        'appsettings',
        `cannot read ${source}${code ? ` (${code})` : ''}`,
        'pass the path of a readable appsettings.json',
      )
    }
  }
  let settings: unknown
  try {
    settings = parseJsonWithComments(content.replace(/^\uFEFF/, ''))
  } catch (error) {
    // JSON.parse messages may quote the text around the error, which can be a secret: keep only the position.
    const at = /at position \d+(?: \(line \d+ column \d+\))?/.exec((error as Error).message)?.[0]
    throw new ConfigurationError(
      'appsettings',
      `${where} is not valid JSON${at ? ` ${at}` : ''}`,
      'fix the JSON syntax',
    )
  }
  if (!isObject(settings))
    throw new ConfigurationError(
      'appsettings',
      `${where} is not a JSON object`,
      'pass an object with an "AzureAd" section',
    )
  return { settings, where, dir: inline ? undefined : dirname(resolve(source)) }
}

function certificateNames(path: string, source: string): CertificateOptionNames {
  return {
    path: `${path}.CertificateDiskPath`,
    certificate: `${path}.${source}`,
    privateKey: `${path}.${source}`,
    passphrase: `${path}.CertificatePassword`,
    algorithm: `${path}.SourceType`,
  }
}

function describedCredential(
  entry: unknown,
  path: string,
  ctx: { baseDir: string; sendX5c: boolean; env: Environment },
): Credential {
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
      return managedIdentityAssertion(
        identity,
        text(entry, 'TokenExchangeUrl', path) ?? TOKEN_EXCHANGE_AUDIENCE,
      )
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

function authority(section: Json, name: string): { host: string; tenant: string | undefined } {
  const instance = text(section, 'Instance', name)
  const full = text(section, 'Authority', name)
  let url: URL
  const value = instance ?? full ?? AzureCloud.Public
  try {
    url = new URL(value)
  } catch {
    throw new ConfigurationError(
      `${name}.${instance === undefined ? 'Authority' : 'Instance'}`,
      `${JSON.stringify(value)} is not a URL`,
      'write e.g. "https://login.microsoftonline.com/"',
    )
  }
  // "Authority": "https://login.microsoftonline.com/<tenant>/v2.0" carries the tenant too.
  const tenant =
    instance === undefined && full !== undefined ? url.pathname.split('/').filter(Boolean)[0] : undefined
  return { host: url.origin, tenant }
}

/**
 * Reads the Entra ID settings of a .NET daemon's `appsettings.json` (the `AzureAd` section:
 * `Instance`, `TenantId`, `ClientId`, and `ClientSecret` or `ClientCredentials`), so a daemon moved
 * from .NET keeps its configuration. Several `ClientCredentials` form a rotation list.
 * Certificates must be PEM (a file, or base64 PEM); `.pfx` files are reported with the command
 * that converts them.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({ ...fromAppSettings('appsettings.json') })
 * ```
 */
export function fromAppSettings(
  source: string | Record<string, unknown>,
  options: AppSettingsOptions = {},
): AppSettingsConfig {
  const sectionName = options.section ?? 'AzureAd'
  const { settings, where, dir } = load(source)
  let node: unknown = settings
  for (const part of sectionName.split(':')) node = isObject(node) ? get(node, part) : undefined
  if (!isObject(node)) {
    throw new ConfigurationError(
      sectionName,
      `${where} has no "${sectionName}" section`,
      `add "${sectionName}": { "Instance", "TenantId", "ClientId", "ClientCredentials" }, or pass { section } naming the section you use`,
    )
  }
  const section = node
  const name = sectionName.replaceAll(':', '.')
  const clientId = text(section, 'ClientId', name)
  if (clientId === undefined)
    throw new ConfigurationError(
      `${name}.ClientId`,
      'it is missing',
      'set it to the Application (client) ID of the app registration',
    )
  const { host, tenant } = authority(section, name)
  const tenantId = text(section, 'TenantId', name) ?? tenant
  if (tenantId === undefined)
    throw new ConfigurationError(
      `${name}.TenantId`,
      'it is missing',
      'set it to the Directory (tenant) ID or a verified domain such as contoso.onmicrosoft.com',
    )

  const ctx = {
    baseDir: options.baseDir ?? dir ?? process.cwd(),
    sendX5c: flag(section, 'SendX5C'),
    env: options.env ?? process.env,
  }
  const listKey = get(section, 'ClientCredentials') !== undefined ? 'ClientCredentials' : 'ClientCertificates'
  const list = get(section, listKey) ?? []
  if (!Array.isArray(list))
    throw new ConfigurationError(
      `${name}.${listKey}`,
      'it is not a list',
      `write "${listKey}": [{ "SourceType": "Path", "CertificateDiskPath": "cert.pem" }]`,
    )
  const credentials = list.map((entry, i) => describedCredential(entry, `${name}.${listKey}[${i}]`, ctx))
  const secret = text(section, 'ClientSecret', name)
  if (secret !== undefined) credentials.push(clientSecret(secret))
  if (credentials.length === 0) {
    throw new ConfigurationError(
      `${name}.ClientCredentials`,
      'no client credential is configured',
      'add "ClientCredentials": [{ "SourceType": "Path", "CertificateDiskPath": "cert.pem" }] (or "ClientSecret")',
    )
  }
  return {
    tenantId,
    clientId,
    authorityHost: host,
    credential: credentials.length === 1 ? credentials[0]! : firstOf(...credentials),
  }
}
