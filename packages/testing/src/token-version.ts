/**
 * Access token format: `1` is Entra's v1.0 (`iss` `https://sts.windows.net/<tenant>/`, `ver` `1.0`,
 * `appid`), `2` its v2.0 (`iss` `<authority>/<tenant>/v2.0`, `ver` `2.0`, `azp`).
 *
 * @example
 * ```ts
 * const authority = await startTestAuthority({ tokenVersions: { 'api://legacy-api': 1 } })
 * ```
 */
export type TokenVersion = 1 | 2

/**
 * Hosts of the Azure resources whose tokens Entra issues in the v1.0 format (their service
 * principals do not accept v2 tokens), in every cloud: Storage, Key Vault, Resource Manager, SQL,
 * Service Bus, Event Hubs, Cosmos DB, Azure Database for PostgreSQL/MySQL, Data Explorer, Batch,
 * Event Grid, Cognitive Services, Log Analytics, Monitor, Cache for Redis, App Configuration.
 * Per-account hosts (`<account>.blob.core.windows.net`, `<vault>.vault.azure.net`, ...) get v1 too.
 *
 * @example
 * ```ts
 * V1_RESOURCE_HOSTS.includes('storage.azure.com') // true: https://storage.azure.com/.default gets a v1.0 token
 * ```
 */
export const V1_RESOURCE_HOSTS: readonly string[] = [
  'storage.azure.com',
  'vault.azure.net',
  'vault.usgovcloudapi.net',
  'vault.azure.cn',
  'managedhsm.azure.net',
  'management.azure.com',
  'management.core.windows.net',
  'management.usgovcloudapi.net',
  'management.core.usgovcloudapi.net',
  'management.chinacloudapi.cn',
  'management.core.chinacloudapi.cn',
  'database.windows.net',
  'database.usgovcloudapi.net',
  'database.chinacloudapi.cn',
  'servicebus.azure.net',
  'eventhubs.azure.net',
  'cosmos.azure.com',
  'ossrdbms-aad.database.windows.net',
  'kusto.kusto.windows.net',
  'batch.core.windows.net',
  'eventgrid.azure.net',
  'cognitiveservices.azure.com',
  'api.loganalytics.io',
  'monitor.azure.com',
  'redis.azure.com',
  'azconfig.io',
]

/**
 * Host suffixes of per-account resource URIs that also get v1 tokens, e.g.
 * `https://myaccount.blob.core.windows.net` or `https://myvault.vault.azure.net`.
 */
const V1_RESOURCE_SUFFIXES: readonly string[] = [
  '.core.windows.net',
  '.core.usgovcloudapi.net',
  '.core.chinacloudapi.cn',
  '.vault.azure.net',
  '.vault.usgovcloudapi.net',
  '.vault.azure.cn',
  '.servicebus.windows.net',
  '.database.windows.net',
  '.documents.azure.com',
  '.kusto.windows.net',
  '.azconfig.io',
]

/** `https://x/` and `https://x` are one resource. */
export function bareResource(resource: string): string {
  return resource.replace(/\/+$/, '')
}

/**
 * The token version for a resource: the `overrides` entry (keys compared without trailing
 * slashes), else 1 for the Azure resources of {@link V1_RESOURCE_HOSTS}, else 2.
 */
export function tokenVersionFor(
  resource: string,
  overrides: Readonly<Record<string, TokenVersion>> = {},
): TokenVersion {
  const bare = bareResource(resource)
  for (const [key, version] of Object.entries(overrides)) if (bareResource(key) === bare) return version
  const url = URL.parse(bare)
  if (url === null || url.protocol !== 'https:') return 2
  const host = url.hostname.toLowerCase()
  return V1_RESOURCE_HOSTS.includes(host) || V1_RESOURCE_SUFFIXES.some((s) => host.endsWith(s)) ? 1 : 2
}

/** Entra's v1.0 issuer: `https://sts.windows.net/<tenant GUID>/` (only a claim; nothing is sent there). */
export function v1Issuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`
}

/** Checks a `tokenVersions` option: every value 1 or 2. */
export function checkTokenVersions(
  versions: Readonly<Record<string, TokenVersion>> | undefined,
): Readonly<Record<string, TokenVersion>> {
  if (versions === undefined) return {}
  for (const [resource, version] of Object.entries(versions)) {
    if (version !== 1 && version !== 2)
      throw new RangeError(`tokenVersions['${resource}'] must be 1 or 2, got ${String(version)}`)
  }
  return { ...versions }
}
