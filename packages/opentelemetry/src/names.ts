/**
 * The instrumentation scope name of the meter and the tracer.
 *
 * @example
 * ```ts
 * const isOurs = (scope: { name: string }) => scope.name === INSTRUMENTATION_NAME
 * ```
 */
export const INSTRUMENTATION_NAME = '@apptoken/opentelemetry'

/**
 * The metric names {@link instrumentApptoken} records.
 *
 * @example
 * ```ts
 * const names: string[] = [METRIC.requests, METRIC.duration] // as exported by the SDK's metric readers
 * ```
 */
export const METRIC = {
  requests: 'apptoken.token.requests',
  duration: 'apptoken.token.request.duration',
  cacheLookups: 'apptoken.cache.lookups',
  refreshFailures: 'apptoken.token.refresh.failures',
  unauthorizedRetries: 'apptoken.http.unauthorized_retries',
  tokenExpiry: 'apptoken.token.expiry',
  credentialExpiry: 'apptoken.credential.expiry',
} as const

/**
 * The attribute names on apptoken's metrics and spans (OpenTelemetry semantic conventions where
 * one exists: `server.address`, `error.type`, `http.response.status_code`).
 *
 * @example
 * ```ts
 * const isEntraError = (attributes: Record<string, unknown>) => attributes[ATTR.aadsts] !== undefined
 * ```
 */
export const ATTR = {
  outcome: 'apptoken.outcome',
  credentialKind: 'apptoken.credential.kind',
  errorType: 'error.type',
  cacheResult: 'apptoken.cache.result',
  serverAddress: 'server.address',
  tenant: 'apptoken.tenant.id',
  clientId: 'apptoken.client.id',
  scopes: 'apptoken.scopes',
  reason: 'apptoken.request.reason',
  retryCount: 'apptoken.retry_count',
  httpStatus: 'http.response.status_code',
  aadsts: 'apptoken.aadsts',
  claimsChallenge: 'apptoken.claims_challenge',
  thumbprint: 'apptoken.certificate.thumbprint',
} as const
