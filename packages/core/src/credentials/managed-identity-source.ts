import type { CredentialContext, IssuedToken } from '../credential.js'
import { ConfigurationError } from '../errors.js'
import type { HttpResponse, HttpTransport } from '../http.js'
import type { RetryOptions } from '../types.js'
import type { Environment } from './environment.js'

/**
 * The managed identity endpoints apptoken speaks to, one per kind of Azure host.
 *
 * @example
 * ```ts
 * managedIdentity({ source: 'azureArc' }).source // 'azureArc'
 * ```
 */
export type ManagedIdentitySource =
  'imds' | 'appService' | 'azureArc' | 'serviceFabric' | 'cloudShell' | 'machineLearning'

/** Every source, in msal-node's detection order (IMDS last: it needs no variable). */
export const SOURCES: readonly ManagedIdentitySource[] = [
  'serviceFabric',
  'appService',
  'machineLearning',
  'cloudShell',
  'azureArc',
  'imds',
]

/**
 * Options of {@link managedIdentity}. Give at most one of `clientId`, `objectId`, `resourceId`
 * (a user-assigned identity); none means the system-assigned identity. Options that do not apply
 * to the chosen source are ignored.
 *
 * @example
 * ```ts
 * managedIdentity({ clientId: process.env.MI_CLIENT_ID })
 * managedIdentity({ source: 'serviceFabric' }) // IDENTITY_ENDPOINT, IDENTITY_HEADER, IDENTITY_SERVER_THUMBPRINT
 * ```
 */
export interface ManagedIdentityOptions {
  /**
   * The endpoint to use. Default: detected from the environment in msal-node's order (Service
   * Fabric, App Service, Azure ML, Cloud Shell, Azure Arc, then IMDS).
   */
  source?: ManagedIdentitySource
  /** Client ID of a user-assigned identity. */
  clientId?: string
  /** Object (principal) ID of a user-assigned identity. */
  objectId?: string
  /** ARM resource ID of a user-assigned identity (`/subscriptions/.../userAssignedIdentities/name`). */
  resourceId?: string
  /**
   * The identity endpoint: App Service / Functions, Service Fabric, Azure Arc (`IDENTITY_ENDPOINT`),
   * Azure ML or Cloud Shell (`MSI_ENDPOINT`). Default from those variables.
   */
  endpoint?: string
  /** The secret App Service or Service Fabric require. Default `IDENTITY_HEADER` (Azure ML: `MSI_SECRET`). */
  identityHeader?: string
  /** Service Fabric: SHA-1 thumbprint (hex) of the endpoint's certificate. Default `IDENTITY_SERVER_THUMBPRINT`. */
  serverThumbprint?: string
  /**
   * Azure Arc: the only directory a challenge file may be read from. Default
   * `/var/opt/azcmagent/tokens` (Linux), `%ProgramData%\AzureConnectedMachineAgent\Tokens` (Windows).
   */
  arcKeyDirectory?: string | undefined
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

// IMDS answers 404 while it boots and 410 while it upgrades; both pass within a minute or so.
export const TRANSIENT = (status: number): boolean =>
  status === 404 || status === 408 || status === 410 || status === 429 || status >= 500

/** The user-assigned identity asked for, if any. */
export type Selector = { kind: 'clientId' | 'objectId' | 'resourceId'; value: string } | undefined

/** One request to a managed identity endpoint. */
export interface SourceRequest {
  url: URL
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
}

/** A managed identity endpoint: how to ask it for a token and what its answers mean. */
export interface Source {
  readonly name: ManagedIdentitySource
  /** Whether it accepts `xms_cc` and `token_sha256_to_refresh` (token revocation, as in msal-node). */
  readonly revocation: boolean
  build(resource: string): SourceRequest
  /** A challenge answer (Arc's 401): the request to send once more, or undefined. */
  challenge?(answer: HttpResponse, sent: SourceRequest): Promise<SourceRequest | undefined>
  /** Its own transport (Service Fabric's pinned TLS), instead of the provider's. */
  transport?(ctx: CredentialContext): Promise<HttpTransport>
  /** Refuses a token for another identity than the one selected. */
  check?(token: IssuedToken, body: Record<string, unknown>): void
  /** What to do about a failed answer of this status. */
  hint(status: number): string
}

/** Checks a URL option or variable and returns it parsed. */
export function endpointUrl(option: string, value: string, example: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigurationError(
      option,
      `${JSON.stringify(value)} is not an absolute URL`,
      `pass a full URL, e.g. ${example}`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(
      option,
      `${url.protocol} URLs are not supported`,
      'pass an http or https URL',
    )
  }
  return url
}

/** Query parameter names of a user-assigned identity: IMDS and Arc say `msi_res_id`, App Service and Service Fabric `mi_res_id`. */
export const SELECTOR_NAMES = {
  msi: { clientId: 'client_id', objectId: 'object_id', resourceId: 'msi_res_id' },
  mi: { clientId: 'client_id', objectId: 'object_id', resourceId: 'mi_res_id' },
} as const

/** `base` with the `api-version`, the `resource` and the user-assigned selector, if any: the GET most sources take. */
export function tokenUrl(
  base: URL,
  apiVersion: string,
  resource: string,
  id: [string, string] | undefined,
): URL {
  const url = new URL(base)
  url.searchParams.set('api-version', apiVersion)
  url.searchParams.set('resource', resource)
  if (id) url.searchParams.set(...id)
  return url
}

/** Query parameter names of a user-assigned identity, per endpoint family. */
export function selectorParam(
  selector: Selector,
  names: Record<'clientId' | 'objectId' | 'resourceId', string>,
): [string, string] | undefined {
  return selector === undefined ? undefined : [names[selector.kind], selector.value]
}

/** For sources that serve only the system-assigned identity (Cloud Shell). */
export function systemAssignedOnly(selector: Selector, source: string): void {
  if (selector !== undefined)
    throw new ConfigurationError(
      selector.kind,
      `${source} serves only the system-assigned identity`,
      `omit ${selector.kind}, or run where a user-assigned identity can be selected`,
    )
}

/** The claims of a JWT access token, or undefined when it is not one (no check of its signature). */
export function tokenClaims(accessToken: string): Record<string, unknown> | undefined {
  try {
    const payload = accessToken.split('.')[1]
    const value: unknown =
      payload === undefined ? undefined : JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
