import { ConfigurationError } from '../errors.js'
import { tokenErrorHint } from '../hints.js'
import { rememberSecret } from '../redact.js'
import type { RetryOptions } from '../types.js'
import { envValue, type Environment } from './environment.js'

/**
 * Options of {@link managedIdentity}. Give at most one of `clientId`, `objectId`, `resourceId`
 * (a user-assigned identity); none means the system-assigned identity.
 *
 * @example
 * ```ts
 * managedIdentity({ clientId: process.env.MI_CLIENT_ID })
 * ```
 */
export interface ManagedIdentityOptions {
  /** Client ID of a user-assigned identity. */
  clientId?: string
  /** Object (principal) ID of a user-assigned identity. */
  objectId?: string
  /** ARM resource ID of a user-assigned identity (`/subscriptions/.../userAssignedIdentities/name`). */
  resourceId?: string
  /** App Service / Functions identity endpoint. Default `IDENTITY_ENDPOINT`. */
  endpoint?: string
  /** The secret the App Service endpoint requires. Default `IDENTITY_HEADER`. */
  identityHeader?: string
  /**
   * IMDS token endpoint (or host). Default `AZURE_POD_IDENTITY_AUTHORITY_HOST`, then
   * `IMDS_ENDPOINT`, then `http://169.254.169.254/metadata/identity/oauth2/token`.
   */
  imdsEndpoint?: string
  /** Retries of transient answers (404, 408, 410, 429, 5xx). Default 5 retries within 90 s. */
  retry?: RetryOptions | false
  /** Where the variables are read. Default `process.env`. */
  env?: Environment
}

const IMDS_PATH = '/metadata/identity/oauth2/token'
const IMDS_DEFAULT = `http://169.254.169.254${IMDS_PATH}`
// IMDS answers 404 while it boots and 410 while it upgrades; both pass within a minute or so.
export const TRANSIENT = (status: number): boolean =>
  status === 404 || status === 408 || status === 410 || status === 429 || status >= 500

// The two endpoints name a user-assigned identity's resource id differently.
const ID_PARAMS = {
  imds: { clientId: 'client_id', objectId: 'object_id', resourceId: 'msi_res_id' },
  app_service: { clientId: 'client_id', objectId: 'object_id', resourceId: 'mi_res_id' },
} as const

/** The managed identity endpoint of this host, as {@link resolveSource} found it. */
export interface Source {
  kind: 'imds' | 'app_service'
  url: string
  apiVersion: string
  headers: Record<string, string>
  /** Query parameter of a user-assigned identity: [name, value]. */
  identity: [string, string] | undefined
}

function endpointUrl(option: string, value: string, imds: boolean): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigurationError(
      option,
      `${JSON.stringify(value)} is not an absolute URL`,
      `pass a full URL, e.g. ${imds ? IMDS_DEFAULT : 'http://localhost:8081/msi/token'}`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(
      option,
      `${url.protocol} URLs are not supported`,
      'pass an http or https URL',
    )
  }
  // AZURE_POD_IDENTITY_AUTHORITY_HOST and IMDS_ENDPOINT name a host; the path is IMDS's.
  if (imds && (url.pathname === '' || url.pathname === '/')) url.pathname = IMDS_PATH
  return url.href
}

/** Finds the endpoint from the options and the environment (App Service first, else IMDS). */
export function resolveSource(options: ManagedIdentityOptions): Source {
  const env = options.env ?? process.env
  const ids = (['clientId', 'objectId', 'resourceId'] as const).filter((k) => options[k] !== undefined)
  if (ids.length > 1) {
    throw new ConfigurationError(
      ids.join(', '),
      'a managed identity is selected by one of clientId, objectId or resourceId',
      `pass only ${ids[0]}`,
    )
  }
  const id = ids[0]
  const idValue = id === undefined ? undefined : options[id]
  if (id !== undefined && (typeof idValue !== 'string' || idValue.trim() === '')) {
    throw new ConfigurationError(
      id,
      'it is empty',
      'pass the id of the user-assigned identity, or omit it to use the system-assigned identity',
    )
  }
  if (options.endpoint !== undefined && options.imdsEndpoint !== undefined) {
    throw new ConfigurationError(
      'endpoint',
      'both endpoint (App Service) and imdsEndpoint were given',
      'pass the one this host has',
    )
  }
  // An explicit IMDS endpoint wins over App Service variables found in the environment.
  const appServiceEndpoint =
    options.imdsEndpoint === undefined ? (options.endpoint ?? envValue(env, 'IDENTITY_ENDPOINT')) : undefined
  const identityHeader = options.identityHeader ?? envValue(env, 'IDENTITY_HEADER')
  if (options.endpoint !== undefined && identityHeader === undefined) {
    throw new ConfigurationError(
      'identityHeader',
      'an App Service endpoint was given without its header secret',
      'pass identityHeader (the value of IDENTITY_HEADER)',
    )
  }
  if (appServiceEndpoint !== undefined && identityHeader !== undefined) {
    rememberSecret(identityHeader)
    return {
      kind: 'app_service',
      url: endpointUrl(
        options.endpoint === undefined ? 'IDENTITY_ENDPOINT' : 'endpoint',
        appServiceEndpoint,
        false,
      ),
      apiVersion: '2019-08-01',
      headers: { 'x-identity-header': identityHeader, accept: 'application/json' },
      identity: id === undefined ? undefined : [ID_PARAMS.app_service[id], idValue!.trim()],
    }
  }
  const imdsOption =
    options.imdsEndpoint !== undefined
      ? 'imdsEndpoint'
      : envValue(env, 'AZURE_POD_IDENTITY_AUTHORITY_HOST') !== undefined
        ? 'AZURE_POD_IDENTITY_AUTHORITY_HOST'
        : 'IMDS_ENDPOINT'
  const imds =
    options.imdsEndpoint ??
    envValue(env, 'AZURE_POD_IDENTITY_AUTHORITY_HOST') ??
    envValue(env, 'IMDS_ENDPOINT') ??
    IMDS_DEFAULT
  return {
    kind: 'imds',
    url: endpointUrl(imdsOption, imds, true),
    apiVersion: '2018-02-01',
    headers: { metadata: 'true', accept: 'application/json' },
    identity: id === undefined ? undefined : [ID_PARAMS.imds[id], idValue!.trim()],
  }
}

/** What to do about a failed managed identity request, by endpoint and answer. */
export function hintFor(
  source: Source,
  status: number,
  codes: readonly number[],
  error: string | undefined,
): string {
  const known = tokenErrorHint(codes, error === 'invalid_client' ? undefined : error)
  if (known !== undefined) return known
  if (TRANSIENT(status)) {
    return source.kind === 'imds'
      ? 'The Azure Instance Metadata Service is unavailable or still starting (it answers 404 while booting and 410 while upgrading); the request was retried. Try again shortly.'
      : 'The App Service identity endpoint is unavailable; the request was retried. Try again shortly.'
  }
  if (source.kind === 'app_service') {
    return 'The App Service identity endpoint refused the request: enable the identity on the app (and attach the user-assigned identity you select), and pass IDENTITY_HEADER unchanged.'
  }
  if (status === 403)
    return 'IMDS refused the request: it must be reached directly, without an HTTP proxy (add 169.254.169.254 to NO_PROXY).'
  if (status === 401)
    return 'The endpoint asked for a challenge response (Azure Arc or Service Fabric managed identity), which apptoken does not support; use a certificate or workload identity there.'
  return 'IMDS found no matching managed identity: enable the system-assigned identity of this VM, scale set or node pool, or assign the user-assigned identity to it and pass its clientId, objectId or resourceId.'
}
