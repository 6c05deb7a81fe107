import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import {
  ConfigurationError,
  fromAppSettings,
  fromEnvironment,
  parseJsonWithComments,
  type Credential,
  type Environment,
} from '@apptoken/core'
import { fixFor, lookup, SettingsReader, type Json, type Setting } from './settings.js'

export type { Setting } from './settings.js'

/** The app registration in a real tenant (the `AzureAd` section), the credential built by core. */
export interface TenantSettings {
  instance: Setting<string> | undefined
  tenantId: Setting<string>
  clientId: Setting<string>
  credential: Setting<Credential>
}

/** The web API the daemon calls (the `MyWebApi` section of the Microsoft daemon samples). */
export interface ApiSettings {
  baseUrl: Setting<string> | undefined
  relativePath: Setting<string> | undefined
  scopes: Setting<string[]> | undefined
}

/** Where Microsoft Graph lives (the optional `MicrosoftGraph` section, as in Microsoft.Identity.Web). */
export interface GraphSettings {
  baseUrl: Setting<string> | undefined
  scopes: Setting<string[]> | undefined
}

/**
 * The demo's configuration. `tenant` undefined means offline: the embedded test authority. A
 * secret configured without a tenant is still used offline, so a wrong secret can be tried safely.
 */
export interface DemoConfig {
  /** The settings file that was read, if any. */
  file: string | undefined
  tenant: TenantSettings | undefined
  /** Offline only: a secret to present instead of the embedded app's own. */
  offlineSecret: Setting<string> | undefined
  api: ApiSettings
  graph: GraphSettings
}

/** Where configuration comes from; tests pass their own. */
export interface ConfigSources {
  /** `--config <file>`; otherwise `appsettings.json` in `cwd` is read when it exists. */
  configPath: string | undefined
  env: Environment
  cwd: string
  /** `--offline`: ignore tenant settings. */
  forceOffline: boolean
}

function readFile(path: string, explicit: boolean): Json | undefined {
  if (!existsSync(path)) {
    if (!explicit) return undefined
    throw new ConfigurationError(
      '--config',
      `${path} does not exist`,
      'pass the path of an appsettings.json file',
    )
  }
  let parsed: unknown
  try {
    parsed = parseJsonWithComments(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''))
  } catch (error) {
    // JSON.parse may quote the text around the mistake, which can be a secret: keep the position only.
    const at = /at position \d+(?: \(line \d+ column \d+\))?/.exec((error as Error).message)?.[0]
    throw new ConfigurationError(
      '--config',
      `${path} is not valid JSON${at ? ` (${at})` : ''}`,
      'fix the file; comments and trailing commas are allowed',
    )
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(
      '--config',
      `${path} does not hold a JSON object`,
      'write { "AzureAd": { ... }, "MyWebApi": { ... } }',
    )
  }
  return parsed as Json
}

/** The variable each credential `fromEnvironment` can pick comes from, for messages. */
const FROM_VARIABLE: Record<string, string> = {
  client_secret: 'AZURE_CLIENT_SECRET',
  client_certificate: 'AZURE_CLIENT_CERTIFICATE_PATH',
  workload_identity: 'AZURE_FEDERATED_TOKEN_FILE',
}

/**
 * The credential, from the standard variables through core's `fromEnvironment` (which wins, as in
 * the Azure SDKs) or from the `AzureAd` section through core's `fromAppSettings` (ClientSecret or
 * any ClientCredentials entry). Managed identity, `fromEnvironment`'s last resort, is not used.
 */
function credentialFrom(
  reader: SettingsReader,
  env: Environment,
  ids: { tenantId: string; clientId: string },
  file: string | undefined,
): Setting<Credential> | undefined {
  // The ids are already resolved (the variables may override the file's).
  const fromEnv = fromEnvironment({ ...env, AZURE_TENANT_ID: ids.tenantId, AZURE_CLIENT_ID: ids.clientId })
  const variable = FROM_VARIABLE[fromEnv.kind]
  if (variable !== undefined) return { value: fromEnv, name: variable }
  const section = reader.section('AzureAd')
  if (
    section === undefined ||
    (lookup(section, 'ClientSecret') ??
      lookup(section, 'ClientCredentials') ??
      lookup(section, 'ClientCertificates')) === undefined
  )
    return undefined
  reader.string('AzureAd', ['ClientSecret']) // the sample's placeholder gets the clearer message
  const settings = {
    AzureAd: {
      ...section,
      TenantId: ids.tenantId,
      ClientId: ids.clientId,
      Instance: undefined,
      Authority: undefined,
    },
  }
  const { credential } = fromAppSettings(settings, { ...(file !== undefined && { baseDir: dirname(file) }) })
  return {
    value: credential,
    name:
      lookup(section, 'ClientSecret') !== undefined ? 'AzureAd.ClientSecret' : 'AzureAd.ClientCredentials',
  }
}

/**
 * The settings file: `--config`, else `appsettings.json` in the working directory.
 *
 * @example
 * ```ts
 * configFilePath({ configPath: undefined, cwd: '/srv/daemon' }) // '/srv/daemon/appsettings.json'
 * ```
 */
export function configFilePath(sources: Pick<ConfigSources, 'configPath' | 'cwd'>): string {
  return resolve(sources.cwd, sources.configPath ?? 'appsettings.json')
}

/**
 * Reads and checks the configuration. Throws a {@link ConfigurationError} naming the setting
 * (as written in the file, or the environment variable) and the fix.
 *
 * @example
 * ```ts
 * const config = loadConfig({ configPath: undefined, env: process.env, cwd: process.cwd(), forceOffline: false })
 * if (config.tenant === undefined) console.log('offline')
 * ```
 */
export function loadConfig(sources: ConfigSources): DemoConfig {
  const path = configFilePath(sources)
  const file = readFile(path, sources.configPath !== undefined)
  const reader = new SettingsReader(file ?? {}, sources.env)

  const requestAppToken = reader.boolean('MyWebApi', 'RequestAppToken')
  if (requestAppToken?.value === false) {
    throw new ConfigurationError(
      requestAppToken.name,
      'this daemon calls the API as itself, with an app token',
      'set it to true, or remove it',
    )
  }
  const api: ApiSettings = {
    baseUrl: reader.string('MyWebApi', ['BaseUrl']),
    relativePath: reader.string('MyWebApi', ['RelativePath']),
    scopes: reader.scopes('MyWebApi'),
  }
  const graph: GraphSettings = {
    baseUrl: reader.string('MicrosoftGraph', ['BaseUrl']),
    scopes: reader.scopes('MicrosoftGraph'),
  }
  // Microsoft.Identity.Web also takes "Authority": "https://login.microsoftonline.com/<tenant>/v2.0".
  const authority = reader.string('AzureAd', ['Authority'])
  const authorityUrl =
    authority !== undefined && URL.canParse(authority.value) ? new URL(authority.value) : undefined
  const instance =
    reader.string('AzureAd', ['Instance'], 'AZURE_AUTHORITY_HOST') ??
    (authorityUrl === undefined ? undefined : { value: authorityUrl.origin, name: authority!.name })
  const authorityTenant = authorityUrl?.pathname.split('/').find(Boolean)
  const tenantId =
    reader.string('AzureAd', ['TenantId', 'Tenant'], 'AZURE_TENANT_ID') ??
    (authorityTenant === undefined ? undefined : { value: authorityTenant, name: authority!.name })
  const clientId = reader.string('AzureAd', ['ClientId'], 'AZURE_CLIENT_ID')
  const base = { file: file === undefined ? undefined : path, api, graph }

  if (sources.forceOffline || (tenantId === undefined && clientId === undefined)) {
    return {
      ...base,
      tenant: undefined,
      offlineSecret: reader.env('AZURE_CLIENT_SECRET') ?? reader.string('AzureAd', ['ClientSecret']),
    }
  }
  if (tenantId === undefined) {
    throw new ConfigurationError(
      'AzureAd.TenantId',
      `${clientId!.name} is set but the tenant is not`,
      `${fixFor('AzureAd.TenantId')} (or AZURE_TENANT_ID); remove the client ID to run offline`,
    )
  }
  if (clientId === undefined) {
    throw new ConfigurationError(
      'AzureAd.ClientId',
      `${tenantId.name} is set but the client ID is not`,
      `${fixFor('AzureAd.ClientId')} (or AZURE_CLIENT_ID); remove the tenant to run offline`,
    )
  }
  const credential = credentialFrom(
    reader,
    sources.env,
    { tenantId: tenantId.value, clientId: clientId.value },
    file === undefined ? undefined : path,
  )
  if (credential === undefined) {
    throw new ConfigurationError(
      'AzureAd.ClientSecret',
      'no credential is configured for the app',
      'set AzureAd.ClientSecret or AzureAd.ClientCredentials (or AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE)',
    )
  }
  if (api.baseUrl === undefined)
    throw new ConfigurationError('MyWebApi.BaseUrl', 'it is missing', fixFor('MyWebApi.BaseUrl'))
  if (api.scopes === undefined)
    throw new ConfigurationError('MyWebApi.Scopes', 'it is missing', fixFor('MyWebApi.Scopes'))
  return { ...base, tenant: { instance, tenantId, clientId, credential }, offlineSecret: undefined }
}

/**
 * `Instance` as the samples write it (`https://login.microsoftonline.com/`, older ones
 * `https://login.microsoftonline.com/{0}`) as an authority host.
 *
 * @example
 * ```ts
 * authorityHostOf('https://login.microsoftonline.com/{0}') // 'https://login.microsoftonline.com'
 * ```
 */
export function authorityHostOf(instance: string): string {
  return instance.replace(/\/?\{0\}\/?$/, '').replace(/\/+$/, '')
}
