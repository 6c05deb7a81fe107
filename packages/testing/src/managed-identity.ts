import type { IncomingMessage, ServerResponse } from 'node:http'
import { rolesFor, type AuthorityContext } from './context.js'
import { DEFAULT_ROLES, MANAGED_IDENTITY_CLIENT_ID } from './defaults.js'
import { answerFault } from './faults.js'
import { delay, header, sendJson } from './http.js'
import type { RecordedRequest } from './recording.js'

/**
 * Where a daemon finds the managed identity endpoints of a test authority.
 *
 * @example
 * ```ts
 * process.env.IDENTITY_ENDPOINT = authority.managedIdentity.appServiceEndpoint
 * process.env.IDENTITY_HEADER = authority.managedIdentity.appServiceHeader
 * ```
 */
export interface ManagedIdentityEndpoints {
  /** Azure Instance Metadata Service token URL: `${authorityHost}/metadata/identity/oauth2/token`. */
  imdsEndpoint: string
  /** App Service / Functions token URL (`IDENTITY_ENDPOINT`): `${authorityHost}/msi/token`. */
  appServiceEndpoint: string
  /** The secret the App Service endpoint requires in `X-IDENTITY-HEADER` (`IDENTITY_HEADER`). */
  appServiceHeader: string
}

export const IMDS_PATH = '/metadata/identity/oauth2/token'
export const APP_SERVICE_PATH = '/msi/token'

interface Flavor {
  kind: 'imds' | 'appservice'
  /** Why the request is refused before a token is issued, if it is. */
  refuse(req: IncomingMessage): string | undefined
  body(input: {
    token: string
    clientId: string
    resource: string
    issuedAt: number
    expiresAt: number
    lifetime: number
  }): unknown
}

const seconds = (ms: number): string => String(Math.floor(ms / 1000))

const imds: Flavor = {
  kind: 'imds',
  refuse: (req) =>
    header(req, 'metadata') === 'true' ? undefined : 'Required metadata header not specified',
  // IMDS sends every number as a string.
  body: ({ token, clientId, resource, issuedAt, expiresAt, lifetime }) => ({
    access_token: token,
    client_id: clientId,
    expires_in: String(lifetime),
    expires_on: seconds(expiresAt),
    ext_expires_in: String(lifetime),
    not_before: seconds(issuedAt),
    resource,
    token_type: 'Bearer',
  }),
}

function appService(secret: string): Flavor {
  return {
    kind: 'appservice',
    refuse: (req) =>
      header(req, 'x-identity-header') === secret
        ? undefined
        : 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.',
    body: ({ token, clientId, resource, expiresAt }) => ({
      access_token: token,
      expires_on: seconds(expiresAt),
      resource,
      token_type: 'Bearer',
      client_id: clientId,
    }),
  }
}

/** Handles IMDS (`Metadata: true`) or App Service (`X-IDENTITY-HEADER`) token requests. */
export async function handleManagedIdentity(
  ctx: AuthorityContext,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
  url: URL,
  appServiceSecret: string,
): Promise<void> {
  const flavor = url.pathname === IMDS_PATH ? imds : appService(appServiceSecret)
  const query = url.searchParams
  const resource = query.get('resource') ?? undefined
  const clientId = query.get('client_id') ?? MANAGED_IDENTITY_CLIENT_ID
  record.authMethod = 'managed_identity'
  record.clientId = clientId
  record.form = Object.fromEntries(query)
  if (resource !== undefined) record.resource = resource

  const fail = (status: number, description: string): void => {
    record.status = status
    record.error = 'invalid_request'
    sendJson(res, status, { error: 'invalid_request', error_description: description })
  }
  if (!(await delay(ctx.latencyMs, ctx.signal))) return
  const fault = ctx.faults.take(flavor.kind)
  if (
    fault &&
    (await answerFault(fault, res, ctx.signal, record, (f) => ({
      error: f.error,
      error_description: 'Fault injected by the test authority.',
    })))
  )
    return

  if (req.method !== 'GET') return fail(405, 'Only GET is supported.')
  const refusal = flavor.refuse(req)
  if (refusal !== undefined) return fail(400, refusal)
  if (!query.get('api-version')) return fail(400, "Required query variable 'api-version' is missing")
  if (resource === undefined || resource === '')
    return fail(400, "Required query variable 'resource' is missing")

  const lifetime = ctx.managedIdentityLifetimeSeconds
  const { token, issuedAt, expiresAt } = await ctx.mint({
    tenantId: ctx.tenants.defaultTenantId,
    audience: resource,
    clientId,
    roles: rolesFor(DEFAULT_ROLES, resource),
    clientAuthLevel: '2',
    lifetimeSeconds: lifetime,
  })
  record.status = 200
  sendJson(res, 200, flavor.body({ token, clientId, resource, issuedAt, expiresAt, lifetime }))
}
