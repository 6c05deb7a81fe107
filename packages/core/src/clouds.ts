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
