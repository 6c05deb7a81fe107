import { AzureCloud, ConfigurationError, graphHostFor, type Credential } from '@apptoken/core'
import { authorityHostOf, type DemoConfig, type TenantSettings } from './config.js'

/** The setting each value came from, so an error can say which one to fix. */
export interface SettingNames {
  authorityHost: string
  tenantId: string
  clientId: string
  credential: string
  apiBaseUrl: string
  apiScopes: string
  graphBaseUrl: string
  graphScopes: string
}

/**
 * Everything the job talks to: the authority and app registration, the web API and Microsoft
 * Graph. Offline and with a real tenant the job is the same; only the target differs.
 */
export interface Target {
  kind: 'offline' | 'tenant'
  authorityHost: string
  tenantId: string
  clientId: string
  credential: Credential
  /** `baseUrl` ends with a slash; `relativePath` is resolved against it (`api/TodoList`). */
  api: { baseUrl: string; relativePath: string; scopes: readonly string[] }
  /** `baseUrl` includes the version (`https://graph.microsoft.com/v1.0`); `fetchOptions` go to every Graph request. */
  graph: { baseUrl: string; scopes: readonly string[] | undefined; fetchOptions?: Record<string, unknown> }
  settings: SettingNames
  /** Offline only: revoke the token the API last accepted, as an admin or CAE would. */
  revokeApiToken?: () => boolean
}

/** Setting names offline, where only the secret and the API scope come from the user. */
export const OFFLINE_SETTINGS: SettingNames = {
  authorityHost: 'the embedded authority',
  tenantId: 'the embedded tenant',
  clientId: 'the embedded app',
  credential: 'AZURE_CLIENT_SECRET',
  apiBaseUrl: 'the embedded API',
  apiScopes: 'MyWebApi.Scopes',
  graphBaseUrl: 'the embedded Graph',
  graphScopes: 'MicrosoftGraph.Scopes',
}

const withSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`)

function absoluteUrl(name: string, value: string): string {
  if (!URL.canParse(value))
    throw new ConfigurationError(
      name,
      `${JSON.stringify(value)} is not an absolute URL`,
      'write the full URL, e.g. https://api.contoso.com/',
    )
  return value
}

/**
 * The target of a configuration with a tenant: the authority from `Instance`, the API from
 * `MyWebApi` and Graph from `MicrosoftGraph` (default: the Graph host of the authority's cloud).
 *
 * @example
 * ```ts
 * const target = tenantTarget(config, config.tenant!)
 * ```
 */
export function tenantTarget(config: DemoConfig, tenant: TenantSettings): Target {
  const authorityHost =
    tenant.instance === undefined ? AzureCloud.Public : authorityHostOf(tenant.instance.value)
  const api = config.api
  const graphBase = config.graph.baseUrl
  return {
    kind: 'tenant',
    authorityHost,
    tenantId: tenant.tenantId.value,
    clientId: tenant.clientId.value,
    credential: tenant.credential.value,
    api: {
      baseUrl: withSlash(absoluteUrl(api.baseUrl!.name, api.baseUrl!.value)),
      relativePath: api.relativePath?.value ?? '',
      scopes: api.scopes!.value,
    },
    graph: {
      baseUrl:
        graphBase === undefined
          ? `${graphHostFor(authorityHost)}/v1.0`
          : absoluteUrl(graphBase.name, graphBase.value).replace(/\/+$/, ''),
      scopes: config.graph.scopes?.value,
    },
    settings: {
      authorityHost: tenant.instance?.name ?? 'AzureAd.Instance',
      tenantId: tenant.tenantId.name,
      clientId: tenant.clientId.name,
      credential: tenant.credential.name,
      apiBaseUrl: api.baseUrl!.name,
      apiScopes: api.scopes!.name,
      graphBaseUrl: graphBase?.name ?? 'MicrosoftGraph.BaseUrl',
      graphScopes: config.graph.scopes?.name ?? 'MicrosoftGraph.Scopes',
    },
  }
}
