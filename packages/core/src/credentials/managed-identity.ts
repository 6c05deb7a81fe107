import type { Credential, CredentialContext, IssuedToken } from '../credential.js'
import {
  ConfigurationError,
  isApptokenError,
  isTokenRequestError,
  NetworkError,
  TokenRequestError,
} from '../errors.js'
import { tokenErrorHint } from '../hints.js'
import type { HttpResponse } from '../http.js'
import { parseRetryAfter, withRetry, type AttemptFailure, type RetryPolicy } from '../retry.js'
import { parseTokenResponse } from '../token-response.js'
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
const DEFAULT_POLICY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxElapsedMs: 90_000,
}
// IMDS answers 404 while it boots and 410 while it upgrades; both pass within a minute or so.
const TRANSIENT = (status: number): boolean =>
  status === 404 || status === 408 || status === 410 || status === 429 || status >= 500

// The two endpoints name a user-assigned identity's resource id differently.
const ID_PARAMS = {
  imds: { clientId: 'client_id', objectId: 'object_id', resourceId: 'msi_res_id' },
  app_service: { clientId: 'client_id', objectId: 'object_id', resourceId: 'mi_res_id' },
} as const

interface Source {
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

function resolveSource(options: ManagedIdentityOptions): Source {
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

function resolvePolicy(retry: RetryOptions | false | undefined): RetryPolicy {
  if (retry === false) return { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0, maxElapsedMs: 0 }
  const policy = { ...DEFAULT_POLICY, ...retry }
  for (const [key, value] of Object.entries(policy)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigurationError(
        `retry.${key}`,
        `${String(value)} is not a non-negative number`,
        `omit it to use the default (${DEFAULT_POLICY[key as keyof RetryPolicy]})`,
      )
    }
  }
  return policy
}

/** The resource of a `/.default` scope: `https://vault.azure.net/.default` -> `https://vault.azure.net`. */
function resourceOf(scopes: readonly string[]): string {
  const scope = scopes[0]
  if (scopes.length !== 1 || scope === undefined) {
    throw new ConfigurationError(
      'scopes',
      `managed identity tokens are for one resource, but ${scopes.length} scopes were requested`,
      'request one resource, e.g. https://management.azure.com/.default',
    )
  }
  return scope.endsWith('/.default') ? scope.slice(0, -'/.default'.length) : scope
}

function readJson(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function hintFor(
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

function failure(source: Source, res: HttpResponse, now: number): TokenRequestError {
  const json = readJson(res.body)
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
  const description =
    str(json.error_description) ?? str(json.message) ?? (res.body.trim().slice(0, 200) || undefined)
  const error = str(json.error)
  const aadsts = /AADSTS(\d+)/.exec(description ?? '')?.[1]
  const codes = aadsts === undefined ? [] : [Number(aadsts)]
  return new TokenRequestError({
    status: res.status,
    error,
    errorDescription: description,
    errorCodes: codes,
    correlationId: str(json.correlation_id),
    retryAfterMs: parseRetryAfter(res.headers, now),
    hint: hintFor(source, res.status, codes, error),
  })
}

class ManagedIdentityCredential implements Credential {
  readonly kind = 'managed_identity'
  readonly needsClientId = false
  readonly #source: Source
  readonly #policy: RetryPolicy
  /** Set once the endpoint answered: later network errors are hiccups, not "not on Azure". */
  #reachable = false

  constructor(source: Source, policy: RetryPolicy) {
    this.#source = source
    this.#policy = policy
  }

  async getToken(ctx: CredentialContext): Promise<IssuedToken> {
    const source = this.#source
    const url = new URL(source.url)
    url.searchParams.set('api-version', source.apiVersion)
    url.searchParams.set('resource', resourceOf(ctx.scopes))
    if (source.identity) url.searchParams.set(source.identity[0], source.identity[1])
    const classify = (error: unknown): AttemptFailure => {
      if (isTokenRequestError(error))
        return { retryable: TRANSIENT(error.status), retryAfterMs: error.retryAfterMs }
      return {
        retryable:
          this.#reachable && (isApptokenError(error, 'ERR_NETWORK') || isApptokenError(error, 'ERR_TIMEOUT')),
      }
    }
    let res: HttpResponse
    try {
      res = await withRetry(
        async () => {
          const answer = await ctx.http.request({
            url: url.href,
            method: 'GET',
            headers: source.headers,
            signal: ctx.signal,
            direct: true, // IMDS and App Service endpoints are local to the host: never proxied
          })
          this.#reachable = true
          if (answer.status < 200 || answer.status > 299) throw failure(source, answer, ctx.clock.now())
          return answer
        },
        {
          policy: this.#policy,
          clock: ctx.clock,
          classify,
          signal: ctx.signal,
          onRetry: ({ retry, delayMs, error }) =>
            ctx.logger?.warn?.(
              {
                event: 'retry_scheduled',
                source: source.kind,
                retry,
                delayMs,
                status: isTokenRequestError(error) ? error.status : undefined,
                code: (error as { code?: string }).code,
              },
              `apptoken: managed identity request failed; retry ${retry} in ${delayMs} ms`,
            ),
        },
      )
    } catch (error) {
      if (isApptokenError(error, 'ERR_NETWORK')) {
        throw new NetworkError(
          `No managed identity endpoint answered at ${url.origin}${url.pathname}: ${(error as Error).message}. ` +
            'Managed identity works on Azure (VMs, App Service, Functions, Container Apps, AKS); elsewhere use clientSecret, clientCertificate or workloadIdentity (fromEnvironment picks one from AZURE_* variables).',
          { cause: error },
        )
      }
      throw error
    }
    ctx.logger?.debug?.(
      { event: 'managed_identity_token', source: source.kind },
      'apptoken: managed identity token received',
    )
    return parseTokenResponse(res, ctx.clock.now())
  }
}

/**
 * Azure managed identity: tokens from the App Service / Functions identity endpoint
 * (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`) or from IMDS on VMs, scale sets and AKS nodes. No
 * secret to manage; the provider needs neither `clientId` nor `tenantId`. Transient IMDS answers
 * are retried with backoff.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({ credential: managedIdentity() })                 // system-assigned
 * createTokenProvider({ credential: managedIdentity({ clientId: process.env.MI_CLIENT_ID! }) }) // user-assigned
 * ```
 */
export function managedIdentity(options: ManagedIdentityOptions = {}): Credential {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      'managedIdentity',
      'the options are not an object',
      'pass {} or { clientId }',
    )
  }
  return new ManagedIdentityCredential(resolveSource(options), resolvePolicy(options.retry))
}
