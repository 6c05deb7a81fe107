import { randomUUID } from 'node:crypto'

/**
 * The JSON body Microsoft Entra ID returns when a token request fails.
 *
 * @example
 * ```ts
 * const body = (await response.json()) as EntraErrorBody
 * body.error_codes // [7000215]
 * ```
 */
export interface EntraErrorBody {
  error: string
  error_description: string
  error_codes: number[]
  timestamp: string
  trace_id: string
  correlation_id: string
  error_uri: string
}

/** A token request failure: thrown inside the authority and rendered as an Entra error. */
export class EntraError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number | undefined,
    message: string,
  ) {
    super(message)
  }
}

/** Entra's timestamp format: `2026-01-02 03:04:05Z`. */
export function entraTimestamp(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
}

/** Builds the body exactly as Entra lays it out, ids and timestamp repeated in the description. */
export function entraErrorBody(input: {
  error: string
  aadsts?: number | undefined
  message: string
  correlationId: string
  traceId?: string
  now: number
}): EntraErrorBody {
  const traceId = input.traceId ?? randomUUID()
  const timestamp = entraTimestamp(input.now)
  const prefix = input.aadsts === undefined ? '' : `AADSTS${input.aadsts}: `
  return {
    error: input.error,
    error_description: `${prefix}${input.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${input.correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: input.aadsts === undefined ? [] : [input.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: input.correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${input.aadsts ?? 0}`,
  }
}

// The errors the authority raises, with Entra's wording so hints keyed on it can be tested.

export const unknownTenant = (tenant: string): EntraError =>
  new EntraError(
    400,
    'invalid_request',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  )

export const multiTenantAlias = (tenant: string): EntraError =>
  new EntraError(
    400,
    'invalid_request',
    90002,
    `Tenant '${tenant}' is not valid for the client credentials flow. Use the tenant ID or a verified domain of the tenant the application is registered in.`,
  )

export const unsupportedGrantType = (grantType: string): EntraError =>
  new EntraError(
    400,
    'unsupported_grant_type',
    70003,
    `The app requested an unsupported grant type '${grantType}'.`,
  )

export const missingParameter = (name: string): EntraError =>
  new EntraError(
    400,
    'invalid_request',
    900144,
    `The request body must contain the following parameter: '${name}'.`,
  )

export const resourceParameterNotSupported = (): EntraError =>
  new EntraError(400, 'invalid_request', 901002, "The 'resource' request parameter is not supported.")

export const invalidScope = (scope: string, reason: string): EntraError =>
  new EntraError(
    400,
    'invalid_scope',
    70011,
    `The provided value for the input parameter 'scope' is not valid. The scope '${scope}' is not valid. ${reason}`,
  )

export const invalidClaims = (): EntraError =>
  new EntraError(400, 'invalid_request', 90100, "The 'claims' parameter is not valid JSON.")

export const unknownClient = (clientId: string, tenant: string): EntraError =>
  new EntraError(
    400,
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  )

export const missingCredentials = (): EntraError =>
  new EntraError(
    401,
    'invalid_client',
    7000218,
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  )

export const invalidSecret = (clientId: string): EntraError =>
  new EntraError(
    401,
    'invalid_client',
    7000215,
    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  )

export const invalidAssertion = (reason: string): EntraError =>
  new EntraError(401, 'invalid_client', 700027, `Client assertion failed validation. [Reason - ${reason}]`)

export const conflictingClientAuth = (): EntraError =>
  new EntraError(
    400,
    'invalid_request',
    90023,
    'More than one client authentication method was used; send either HTTP Basic credentials or credentials in the body, not both.',
  )
