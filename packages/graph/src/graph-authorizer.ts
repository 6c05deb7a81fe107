import { AzureCloud, ConfigurationError, graphOriginsFor, type TokenProvider } from '@apptoken/core'
import { createRequestAuthorizer, isSecureUrl, type RequestAuthorizer } from '@apptoken/core/adapter'

/**
 * Which hosts may receive the token and which scope it carries; both SDK generations take these.
 *
 * @example
 * ```ts
 * const options: GraphTargetOptions = { cloud: AzureCloud.USGovernment, customHosts: ['graph-proxy.contoso.com'] }
 * ```
 */
export interface GraphTargetOptions {
  /** Authority host of the cloud (`AzureCloud.*`): picks the Graph hosts and the default scope. Default `AzureCloud.Public`. */
  cloud?: string
  /** Token scope. Default: the cloud's Graph host + `/.default`, e.g. `https://graph.microsoft.com/.default`. */
  scopes?: string | readonly string[]
  /** More hosts (`host` or `host:port`, as in the SDK's `customHosts`) that may receive the token over https. */
  customHosts?: Iterable<string>
  /** The client's base URL: its origin may receive the token too (a proxy, or a stand-in on 127.0.0.1 over http). */
  baseUrl?: string
  /** Tenant for these requests (multi-tenant daemons). */
  tenantId?: string
}

/** The cloud's Graph origins, e.g. `https://graph.microsoft.us` first for `AzureCloud.USGovernment`. */
function graphOrigins(options: GraphTargetOptions): readonly string[] {
  const cloud = options.cloud ?? AzureCloud.Public
  if (typeof cloud !== 'string')
    throw new ConfigurationError(
      'cloud',
      'it is not an authority host',
      'pass e.g. AzureCloud.USGovernment, or omit it for the public cloud',
    )
  return graphOriginsFor(cloud)
}

/** The Graph base URL of a cloud, e.g. `https://graph.microsoft.us` for `AzureCloud.USGovernment`. */
export const graphBaseUrl = (options: GraphTargetOptions): string => graphOrigins(options)[0]!

/** Host names of `customHosts`, checked: the SDK matches host names only. */
export function customHostsOf(options: GraphTargetOptions): string[] {
  const hosts =
    typeof options.customHosts === 'string' ? [options.customHosts] : [...(options.customHosts ?? [])]
  const bad = hosts.find((host) => typeof host !== 'string' || host === '' || /[/\s]/.test(host))
  if (bad !== undefined)
    throw new ConfigurationError(
      'customHosts',
      `${JSON.stringify(bad)} is not a host name`,
      "pass host names such as 'graph-proxy.contoso.com' (no scheme, no path)",
    )
  return hosts
}

/** Origins that may receive the token: the cloud's Graph hosts and `customHosts` over https, and the base URL's origin. */
export function allowedOrigins(options: GraphTargetOptions): string[] {
  const origins = [...graphOrigins(options), ...customHostsOf(options).map((host) => `https://${host}`)]
  if (options.baseUrl === undefined) return origins
  const base = URL.parse(options.baseUrl)
  if (base === null || !isSecureUrl(base))
    throw new ConfigurationError(
      'baseUrl',
      `${JSON.stringify(options.baseUrl)} is not an https URL`,
      'use https (plain http only for a stand-in on 127.0.0.1 or localhost)',
    )
  return [...origins, base.origin]
}

/** Core's authorizer for Graph over {@link allowedOrigins}; `scopes` overrides the options' (per-request scopes). */
export function graphAuthorizer(
  provider: TokenProvider,
  options: GraphTargetOptions,
  adapter: string,
  scopes = options.scopes,
): RequestAuthorizer {
  const graph = graphOrigins(options)
  const { tenantId } = options
  const defaults = {
    scopes: scopes ?? `${graph[0]}/.default`,
    origins: allowedOrigins(options),
    ...(tenantId !== undefined && { tenantId }),
    // DoD Graph is its own audience: a token for graph.microsoft.us is not valid there.
    ...(scopes === undefined && {
      scopesFor: (url: URL) => (graph.includes(url.origin) ? `${url.origin}/.default` : undefined),
    }),
  }
  return createRequestAuthorizer(provider, defaults, { adapter })
}
