import { ConfigurationError, type Environment } from '@apptoken/core'

/** A configured value and the name of the place it came from (`AzureAd.TenantId` or `AZURE_TENANT_ID`). */
export interface Setting<T> {
  value: T
  name: string
}

/** A parsed settings file. */
export type Json = Record<string, unknown>

/** The sections the demo reads: the app registration, the web API and Microsoft Graph. */
export const SECTIONS = ['AzureAd', 'MyWebApi', 'MicrosoftGraph'] as const
/** One of {@link SECTIONS}. */
export type Section = (typeof SECTIONS)[number]

/** Fixes shown when a setting is missing, malformed or still holds a sample placeholder. */
const FIXES: Record<string, string> = {
  'AzureAd.Instance': "use https://login.microsoftonline.com/ (or your cloud's authority host), or remove it",
  'AzureAd.TenantId':
    'set the Directory (tenant) ID GUID or a verified domain such as contoso.onmicrosoft.com',
  'AzureAd.ClientId': 'set the Application (client) ID of the app registration',
  'AzureAd.ClientSecret': "set the client secret's Value (Certificates & secrets in the app registration)",
  'MyWebApi.BaseUrl': 'set the base URL of the web API, e.g. https://localhost:44372/',
  'MyWebApi.RelativePath': 'set the path of the resource to call, e.g. api/TodoList',
  'MyWebApi.Scopes':
    'set the API\'s application ID URI followed by /.default, e.g. ["api://<api-client-id>/.default"]',
  'MicrosoftGraph.BaseUrl': 'use https://graph.microsoft.com/v1.0, or remove it',
  'MicrosoftGraph.Scopes': 'use ["https://graph.microsoft.com/.default"], or remove it',
}

/** What to do about a setting, for its error message. */
export const fixFor = (name: string): string => FIXES[name] ?? `set ${name} or remove it`

/** Microsoft's samples ship with values such as "[Enter here the tenantId ...]". */
const isPlaceholder = (value: string): boolean => /^\[.*\]$/s.test(value.trim()) || /enter here/i.test(value)

/** A key of a .NET configuration object: exact first, then case-insensitive. */
export const lookup = (obj: Json, key: string): unknown => {
  if (key in obj) return obj[key]
  const found = Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase())
  return found === undefined ? undefined : obj[found]
}

/**
 * Reads settings from the file, the .NET-style `Section__Key` variables and the AZURE_* variables,
 * keeping the name of the place each value came from and refusing the samples' placeholders.
 *
 * @example
 * ```ts
 * const reader = new SettingsReader({ AzureAd: { TenantId: 'contoso.onmicrosoft.com' } }, process.env)
 * reader.string('AzureAd', ['TenantId'], 'AZURE_TENANT_ID') // { value, name: 'AzureAd.TenantId' } unless AZURE_TENANT_ID is set
 * ```
 */
export class SettingsReader {
  readonly #file: Json
  readonly #env: Environment

  constructor(file: Json, env: Environment) {
    this.#file = file
    this.#env = env
    for (const section of SECTIONS) {
      const value = lookup(file, section)
      if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
        throw new ConfigurationError(section, 'it is not an object', `write "${section}": { ... }`)
      }
    }
  }

  /** The file's section object (keys are case-insensitive, as in .NET configuration). */
  section(section: Section): Json | undefined {
    return lookup(this.#file, section) as Json | undefined
  }

  #fromFile(section: Section, key: string): unknown {
    const s = this.section(section)
    return s === undefined ? undefined : lookup(s, key)
  }

  #var(name: string): string | undefined {
    const value = this.#env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }

  /** A string setting: AZURE_* variable, then `Section__Key`, then the file (aliases after the key). */
  string(section: Section, keys: readonly string[], azureVariable?: string): Setting<string> | undefined {
    const name = `${section}.${keys[0]}`
    const fromAzure = azureVariable === undefined ? undefined : this.#var(azureVariable)
    if (fromAzure !== undefined) return checked({ value: fromAzure, name: azureVariable! }, fixFor(name))
    for (const key of keys) {
      const fromDotnet = this.#var(`${section}__${key}`)
      if (fromDotnet !== undefined)
        return checked({ value: fromDotnet, name: `${section}__${key}` }, fixFor(name))
    }
    for (const key of keys) {
      const value = this.#fromFile(section, key)
      if (value === undefined || value === null || value === '') continue
      if (typeof value !== 'string')
        throw new ConfigurationError(
          `${section}.${key}`,
          `it is ${JSON.stringify(value)}, not a string`,
          fixFor(name),
        )
      return checked({ value: value.trim(), name: `${section}.${key}` }, fixFor(name))
    }
    return undefined
  }

  /** A list of scopes: a JSON array (or one string) in the file, or `Section__Scopes` (space-separated) / `Section__Scopes__0`... */
  scopes(section: Section): Setting<string[]> | undefined {
    const name = `${section}.Scopes`
    const fix = fixFor(name)
    const joined = this.#var(`${section}__Scopes`)
    if (joined !== undefined)
      return checkedList({ value: joined.split(/[\s,]+/).filter(Boolean), name: `${section}__Scopes` }, fix)
    const indexed: string[] = []
    for (let i = 0; this.#var(`${section}__Scopes__${i}`) !== undefined; i++)
      indexed.push(this.#var(`${section}__Scopes__${i}`)!)
    if (indexed.length > 0) return checkedList({ value: indexed, name: `${section}__Scopes__0` }, fix)
    const value = this.#fromFile(section, 'Scopes')
    if (value === undefined || value === null) return undefined
    if (typeof value === 'string')
      return checkedList({ value: value.split(/\s+/).filter(Boolean), name }, fix)
    if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) {
      throw new ConfigurationError(
        name,
        `it is ${JSON.stringify(value)}, not a list of strings`,
        fixFor(name),
      )
    }
    return checkedList({ value: (value as string[]).map((s) => s.trim()).filter(Boolean), name }, fix)
  }

  boolean(section: Section, key: string): Setting<boolean> | undefined {
    const name = `${section}.${key}`
    const fromEnv = this.#var(`${section}__${key}`)
    if (fromEnv !== undefined) return { value: /^(true|1|yes)$/i.test(fromEnv), name: `${section}__${key}` }
    const value = this.#fromFile(section, key)
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'boolean')
      throw new ConfigurationError(
        name,
        `it is ${JSON.stringify(value)}, not true or false`,
        `write "${key}": true`,
      )
    return { value, name }
  }

  env(name: string): Setting<string> | undefined {
    const value = this.#var(name)
    return value === undefined ? undefined : { value, name }
  }
}

function checked(setting: Setting<string>, fix: string): Setting<string> {
  if (isPlaceholder(setting.value)) {
    throw new ConfigurationError(
      setting.name,
      `it still holds the sample's placeholder ${JSON.stringify(setting.value)}`,
      fix,
    )
  }
  return setting
}

function checkedList(setting: Setting<string[]>, fix: string): Setting<string[]> {
  for (const scope of setting.value) checked({ value: scope, name: setting.name }, fix)
  if (setting.value.length === 0) throw new ConfigurationError(setting.name, 'it is empty', fix)
  return setting
}
