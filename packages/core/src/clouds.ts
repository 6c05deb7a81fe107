/**
 * Authority hosts of the Microsoft clouds.
 *
 * @example
 * ```ts
 * createTokenProvider({ authorityHost: AzureCloud.USGovernment, ... })
 * ```
 */
export const AzureCloud = Object.freeze({
  Public: 'https://login.microsoftonline.com',
  USGovernment: 'https://login.microsoftonline.us',
  China: 'https://login.chinacloudapi.cn',
} as const)

/**
 * One of the {@link AzureCloud} hosts.
 *
 * @example
 * ```ts
 * const host: AzureCloudHost = AzureCloud.USGovernment // 'https://login.microsoftonline.us'
 * ```
 */
export type AzureCloudHost = (typeof AzureCloud)[keyof typeof AzureCloud]

/**
 * The Microsoft Graph host of each cloud, by authority host.
 *
 * @example
 * ```ts
 * graphHostFor(AzureCloud.China) // 'https://microsoftgraph.chinacloudapi.cn'
 * ```
 */
export function graphHostFor(authorityHost: string): string {
  switch (authorityHost.replace(/\/+$/, '')) {
    case AzureCloud.USGovernment:
      return 'https://graph.microsoft.us'
    case AzureCloud.China:
      return 'https://microsoftgraph.chinacloudapi.cn'
    default:
      return 'https://graph.microsoft.com'
  }
}

// The US Government cloud serves two Graph deployments: GCC High and DoD.
const EXTRA_GRAPH_ORIGINS: Readonly<Record<string, readonly string[]>> = {
  'https://graph.microsoft.us': ['https://dod-graph.microsoft.us'],
}

/**
 * Every Microsoft Graph origin of a cloud, by authority host: the hosts a Graph token may go to.
 *
 * @example
 * ```ts
 * graphOriginsFor(AzureCloud.USGovernment) // ['https://graph.microsoft.us', 'https://dod-graph.microsoft.us']
 * ```
 */
export function graphOriginsFor(authorityHost: string): readonly string[] {
  const graph = graphHostFor(authorityHost)
  return [graph, ...(EXTRA_GRAPH_ORIGINS[graph] ?? [])]
}
