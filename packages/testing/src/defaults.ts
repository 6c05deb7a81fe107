/**
 * The default tenant of every test authority (a fixed GUID, so snapshots and logs are stable).
 *
 * @example
 * ```ts
 * const authority = await startTestAuthority()
 * authority.tenantId === DEFAULT_TENANT_ID // true
 * ```
 */
export const DEFAULT_TENANT_ID = '4f1a6c2e-9b3d-4e7a-8c5f-2d6b0e9a7c31'

/**
 * A domain registered for the default tenant, so tests can use a domain instead of the GUID.
 *
 * @example
 * ```ts
 * authority.tokenEndpoint(DEFAULT_TENANT_DOMAIN) // http://127.0.0.1:port/contoso.onmicrosoft.com/oauth2/v2.0/token
 * ```
 */
export const DEFAULT_TENANT_DOMAIN = 'contoso.onmicrosoft.com'

/**
 * Client id of the app registered by default.
 *
 * @example
 * ```ts
 * createTokenProvider({ tenantId: DEFAULT_TENANT_ID, clientId: DEFAULT_CLIENT_ID, ... })
 * ```
 */
export const DEFAULT_CLIENT_ID = '8d2e5f7a-1c4b-4a9e-b6d3-5e0f2a8c9b14'

/**
 * Secret of the default app. Shaped like an Entra secret value (with `~` and `.`), so code that
 * mangles such characters fails in tests rather than in production.
 *
 * @example
 * ```ts
 * clientSecret(DEFAULT_CLIENT_SECRET)
 * ```
 */
export const DEFAULT_CLIENT_SECRET = 'Tst8Q~apptoken.Default_Secret-Value~9fK2'

/**
 * Audience (application ID URI) of the protected web API started by `startProtectedApi`.
 *
 * @example
 * ```ts
 * await provider.getToken(`${TEST_API_AUDIENCE}/.default`)
 * ```
 */
export const TEST_API_AUDIENCE = 'api://apptoken-test-api'

/**
 * Audience of Microsoft Graph, used by the Graph stand-in.
 *
 * @example
 * ```ts
 * await provider.getToken(`${GRAPH_AUDIENCE}/.default`)
 * ```
 */
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com'

/**
 * Client id of the (system-assigned) managed identity served by the IMDS and App Service
 * endpoints.
 *
 * @example
 * ```ts
 * const body = (await (await fetch(imdsUrl, { headers: { Metadata: 'true' } })).json()) as { client_id: string }
 * body.client_id === MANAGED_IDENTITY_CLIENT_ID // true
 * ```
 */
export const MANAGED_IDENTITY_CLIENT_ID = '3b9c7d1e-6a2f-4c8b-9e5d-0f1a2b3c4d5e'

/** App roles the default client and the managed identity hold, per resource. */
export const DEFAULT_ROLES: Readonly<Record<string, readonly string[]>> = {
  [TEST_API_AUDIENCE]: ['TodoList.Read.All', 'TodoList.ReadWrite.All'],
  [GRAPH_AUDIENCE]: ['User.Read.All'],
}
