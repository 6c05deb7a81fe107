import type { ServerResponse } from 'node:http'
import type { AuthorityContext } from './context.js'
import { entraErrorBody } from './entra-errors.js'
import { sendJson } from './http.js'
import type { RecordedRequest } from './recording.js'
import { MULTI_TENANT_ALIASES } from './tenants.js'
import { randomUUID } from 'node:crypto'

/** `GET /{tenant}/v2.0/.well-known/openid-configuration`, shaped like Entra's. */
export function sendOpenIdConfiguration(
  ctx: AuthorityContext,
  res: ServerResponse,
  record: RecordedRequest,
  tenant: string,
): void {
  record.tenant = tenant
  const alias = MULTI_TENANT_ALIASES.has(tenant.toLowerCase())
  const tenantId = alias ? undefined : ctx.tenants.resolve(tenant)
  if (!alias && tenantId === undefined) {
    record.status = 400
    record.error = 'invalid_tenant'
    const message = `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`
    sendJson(
      res,
      400,
      entraErrorBody({
        error: 'invalid_tenant',
        aadsts: 90002,
        message,
        correlationId: randomUUID(),
        now: ctx.now(),
      }),
    )
    return
  }
  // Multi-tenant aliases publish an issuer template, as Entra does.
  const segment = tenantId ?? tenant
  const base = `${ctx.origin}/${segment}`
  record.status = 200
  sendJson(res, 200, {
    token_endpoint: ctx.tokenEndpoint(segment),
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    grant_types_supported: ['client_credentials'],
    issuer: tenantId === undefined ? `${ctx.origin}/{tenantid}/v2.0` : ctx.issuer(tenantId),
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'nbf',
      'tid',
      'oid',
      'roles',
      'appid',
      'azp',
      'idtyp',
    ],
    tenant_region_scope: null,
  })
}

/** `GET /discovery/v2.0/keys`: the public signing keys, each with its `kid`. */
export function sendJwks(ctx: AuthorityContext, res: ServerResponse, record: RecordedRequest): void {
  record.status = 200
  sendJson(res, 200, ctx.key.jwks, { 'cache-control': 'max-age=86400, private' })
}
