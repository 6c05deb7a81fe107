import type { Dispatcher } from 'undici'
import { AzureCloud } from './clouds.js'
import type { TokenCache } from './cache.js'
import { needsClientIdAndTenantId, type Credential } from './credential.js'
import { ConfigurationError } from './errors.js'
import { DEFAULT_RETRY, resolveRetryPolicy, type RetryPolicy } from './retry.js'
import { secureUrlOption } from './urls.js'
import { createDpopSigner, type DpopOption, type DpopSigner } from './dpop.js'
import { checkTokenParams, type CheckedParams, type TokenParams } from './token-params.js'
import type { Clock, Logger, RetryOptions } from './types.js'

/**
 * Options of `createTokenProvider`. Entra needs `tenantId`, `clientId` and `credential`; any
 * other OAuth 2.0 server needs `tokenEndpoint` (or an OIDC `issuer`) instead of a tenant.
 *
 * @example
 * ```ts
 * const options: TokenProviderOptions = { issuer: 'https://auth.example.com', clientId: 'billing-worker', credential: clientSecret(secret) }
 * const provider = createTokenProvider(options) // a non-Entra server, found through OIDC discovery
 * ```
 */
export interface TokenProviderOptions {
  /** Directory (tenant) GUID or verified domain, e.g. `contoso.onmicrosoft.com`. */
  tenantId?: string
  /** Application (client) ID of the app registration. */
  clientId?: string
  /** How the app proves its identity: `clientSecret(...)`, `clientCertificate(...)`, ... */
  credential: Credential
  /** Entra authority host. Default `AzureCloud.Public`. */
  authorityHost?: string
  /** Token endpoint of a non-Entra OAuth 2.0 server; scopes are then free-form. */
  tokenEndpoint?: string
  /** OIDC issuer, discovered once from `/.well-known/openid-configuration`. */
  issuer?: string
  /** Cache strategy. Default `memoryCache()`; a shared cache (Redis) sits behind the in-process tier. */
  cache?: TokenCache
  /** Retry policy for the token endpoint, or `false` for none. */
  retry?: RetryOptions | false
  /** Per-attempt timeout of a token request. Default 10 s. */
  timeoutMs?: number
  /**
   * An undici `Dispatcher` for token requests: a `ProxyAgent`, an `Agent` with mTLS options, a
   * test `MockAgent`. Default: an `EnvHttpProxyAgent` (honours `HTTPS_PROXY`/`NO_PROXY`).
   *
   * @example
   * ```ts
   * import { ProxyAgent } from 'undici'
   * createTokenProvider({ tenantId, clientId, credential, dispatcher: new ProxyAgent('http://proxy.internal:3128') })
   * ```
   */
  dispatcher?: Dispatcher
  /** Client capabilities sent as `xms_cc` claims, e.g. `['cp1']` for CAE. */
  clientCapabilities?: readonly string[]
  /** Tenants a call may name with `getToken(..., { tenantId })`, or `'*'` for any. */
  allowedTenants?: readonly string[] | '*'
  /** Receives token events (never secrets or token values). */
  logger?: Logger
  /** Time source; replace in tests. */
  clock?: Clock
  /** Largest response body read from the token endpoint. Default 1 MiB. */
  maxResponseBytes?: number
  /**
   * Extra parameters of every token request, e.g. `{ audience: 'https://api.example.com' }`
   * (Auth0) or `{ resource: 'https://api.example.com' }` (RFC 8707). Part of the cache key.
   */
  tokenParams?: TokenParams
  /**
   * Sender-constrained tokens (RFC 9449): `true` for a P-256 key generated for the provider's
   * life, or `{ privateKey }`. Token requests carry a DPoP proof; a DPoP-bound token makes every
   * adapter send `Authorization: DPoP <token>` with a fresh proof per request. DPoP tokens stay
   * in the process (a shared cache is not used: another process has another key).
   */
  dpop?: DpopOption
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  mode: 'entra' | 'generic'
  tenantId: string
  clientId: string
  authorityHost: string | undefined
  tokenEndpoint: string | undefined
  issuer: string | undefined
  allowedTenants: ReadonlySet<string> | '*'
  retry: RetryPolicy
  timeoutMs: number
  maxResponseBytes: number
  clientCapabilities: readonly string[]
  tokenParams: CheckedParams
  dpop: DpopSigner | undefined
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i
const MULTI_TENANT_ALIASES = new Set(['common', 'organizations', 'consumers'])

/** Checks a tenant identifier; `option` names where it came from. */
export function checkTenant(option: string, tenant: unknown): string {
  if (typeof tenant !== 'string' || tenant.trim() === '') {
    throw new ConfigurationError(
      option,
      'it is missing',
      'pass the directory (tenant) ID GUID or a verified domain such as contoso.onmicrosoft.com',
    )
  }
  const t = tenant.trim()
  if (MULTI_TENANT_ALIASES.has(t.toLowerCase())) {
    throw new ConfigurationError(
      option,
      `"${t}" cannot be used with client credentials: an app token is always issued by one specific tenant`,
      "pass that tenant's GUID or domain (for a multi-tenant daemon, pass it per call with getToken(scope, { tenantId }))",
    )
  }
  if (!GUID.test(t) && !DOMAIN.test(t)) {
    throw new ConfigurationError(
      option,
      `${JSON.stringify(t)} is neither a GUID nor a domain name`,
      'pass the directory (tenant) ID GUID or a verified domain such as contoso.onmicrosoft.com',
    )
  }
  return t
}

function positive(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(
      option,
      `${JSON.stringify(value)} is not a positive number`,
      `pass a number of milliseconds such as ${fallback}`,
    )
  }
  return value
}

/** Validates every option up front so mistakes surface at startup, not at the first request. */
export function resolveOptions(options: TokenProviderOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      'options',
      'no options were given',
      'pass { tenantId, clientId, credential }',
    )
  }
  const credential = options.credential as Credential | undefined
  if (
    !credential ||
    (typeof credential.authenticate !== 'function' && typeof credential.getToken !== 'function')
  ) {
    throw new ConfigurationError(
      'credential',
      'it is missing or is not a credential',
      'pass e.g. credential: clientSecret(process.env.AZURE_CLIENT_SECRET)',
    )
  }
  const defaults = credential.defaults ?? {}
  const generic = options.tokenEndpoint !== undefined || options.issuer !== undefined
  if (options.tokenEndpoint !== undefined && options.issuer !== undefined) {
    throw new ConfigurationError(
      'issuer',
      'both tokenEndpoint and issuer were given',
      'pass one: issuer (discovered) or tokenEndpoint (explicit)',
    )
  }
  if (generic && options.authorityHost !== undefined) {
    throw new ConfigurationError(
      'authorityHost',
      'it applies to Entra only, but tokenEndpoint/issuer was given',
      'remove authorityHost',
    )
  }
  const needsClient = needsClientIdAndTenantId(credential)
  const clientId = options.clientId ?? defaults.clientId
  if (needsClient && (typeof clientId !== 'string' || clientId.trim() === '')) {
    throw new ConfigurationError(
      'clientId',
      'it is missing',
      'pass the Application (client) ID of the app registration (or set AZURE_CLIENT_ID)',
    )
  }
  const tenantSource = options.tenantId ?? defaults.tenantId
  // Generic servers have no tenant in the URL, but the tenant is still part of the cache key: same rules.
  const tenantId = generic
    ? tenantSource === undefined
      ? ''
      : checkTenant('tenantId', tenantSource)
    : needsClient || tenantSource !== undefined
      ? checkTenant('tenantId', tenantSource)
      : ''
  const authorityHost = generic
    ? undefined
    : secureUrlOption('authorityHost', options.authorityHost ?? defaults.authorityHost ?? AzureCloud.Public)
  const allowed = options.allowedTenants
  let allowedTenants: ReadonlySet<string> | '*'
  if (allowed === '*') allowedTenants = '*'
  else if (allowed === undefined) allowedTenants = new Set([tenantId.toLowerCase()])
  else if (Array.isArray(allowed))
    allowedTenants = new Set(
      [tenantId, ...allowed.map((t) => checkTenant('allowedTenants', t))].map((t) => t.toLowerCase()),
    )
  else
    throw new ConfigurationError(
      'allowedTenants',
      'it is neither a list nor "*"',
      "pass a list of tenant IDs, or '*' to allow any",
    )
  const caps = options.clientCapabilities ?? []
  if (!Array.isArray(caps) || caps.some((c) => typeof c !== 'string' || c === '')) {
    throw new ConfigurationError(
      'clientCapabilities',
      'it must be a list of non-empty strings',
      "pass e.g. ['cp1']",
    )
  }
  if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) {
    throw new ConfigurationError(
      'logger',
      'it is not an object',
      'pass console, a pino logger, or an object with debug/info/warn/error',
    )
  }
  return {
    mode: generic ? 'generic' : 'entra',
    tenantId,
    clientId: (clientId ?? '').trim(),
    authorityHost,
    tokenEndpoint:
      options.tokenEndpoint === undefined
        ? undefined
        : secureUrlOption('tokenEndpoint', options.tokenEndpoint),
    issuer: options.issuer === undefined ? undefined : secureUrlOption('issuer', options.issuer),
    allowedTenants,
    retry: resolveRetryPolicy(options.retry, DEFAULT_RETRY),
    timeoutMs: positive('timeoutMs', options.timeoutMs, 10_000),
    maxResponseBytes: positive('maxResponseBytes', options.maxResponseBytes, 1024 * 1024),
    clientCapabilities: caps,
    tokenParams: checkTokenParams('tokenParams', options.tokenParams),
    dpop: createDpopSigner(options.dpop),
  }
}
