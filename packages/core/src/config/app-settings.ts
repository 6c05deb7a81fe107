import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { AzureCloud } from '../clouds.js'
import type { Credential } from '../credential.js'
import { clientSecret } from '../credentials/client-secret.js'
import type { Environment } from '../credentials/environment.js'
import { firstOf } from '../credentials/first-of.js'
import { ConfigurationError } from '../errors.js'
import { describedCredential } from './described-credential.js'
import { parseJsonWithComments } from './jsonc.js'
import { flag, get, isObject, text, type Json } from './settings-json.js'

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
