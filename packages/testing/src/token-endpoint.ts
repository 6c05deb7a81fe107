import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { authenticateClient, readClientCredentials, type ClientCredentials } from './client-auth.js'
import type { RegisteredClient } from './clients.js'
import { rolesFor, type AuthorityContext } from './context.js'
import * as errors from './entra-errors.js'
import { answerFault } from './faults.js'
import { delay, header, readBody, sendJson, tooLarge } from './http.js'
import { redactedForm, type RecordedRequest } from './recording.js'
import { MULTI_TENANT_ALIASES } from './tenants.js'

const DEFAULT_SUFFIX = '/.default'

/**
 * The successful token response.
 *
 * @example
 * ```ts
 * const body = (await response.json()) as TokenResponseBody
 * body.token_type // 'Bearer'
 * ```
 */
export interface TokenResponseBody {
  token_type: 'Bearer'
  expires_in: number
  ext_expires_in: number
  access_token: string
  refresh_in?: number
}

/** `POST /{tenant}/oauth2/v2.0/token`: the client credentials grant, answered like Entra v2. */
export async function handleTokenRequest(
  ctx: AuthorityContext,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
  tenant: string,
): Promise<void> {
  record.tenant = tenant
  // MSAL sends the id as a header and as a query parameter.
  const correlationId =
    header(req, 'client-request-id') ??
    new URL(req.url ?? '/', ctx.origin).searchParams.get('client-request-id') ??
    randomUUID()
  const traceId = randomUUID()
  const headers = {
    'cache-control': 'no-store, no-cache',
    pragma: 'no-cache',
    'x-ms-request-id': traceId,
    'client-request-id': correlationId,
  }
  const fail = (e: errors.EntraError): void => {
    record.status = e.status
    record.error = e.error
    sendJson(
      res,
      e.status,
      errors.entraErrorBody({
        error: e.error,
        aadsts: e.aadsts,
        message: e.message,
        correlationId,
        traceId,
        now: ctx.now(),
      }),
      headers,
    )
  }

  const form = new URLSearchParams(req.method === 'POST' ? await readBody(req).catch(tooLarge(record)) : '')
  describe(record, form)
  // Read credentials up front so faulted and failed requests still record who asked, and how.
  let creds: ClientCredentials | errors.EntraError
  try {
    creds = readClientCredentials(form, header(req, 'authorization'))
    record.authMethod = creds.method
    if (creds.clientId) record.clientId = creds.clientId
  } catch (error) {
    if (!(error instanceof errors.EntraError)) throw error
    creds = error
  }
  if (!(await delay(ctx.latencyMs, ctx.signal))) return
  const fault = ctx.faults.take('token')
  const faultBody = (f: { error: string; aadsts: number | undefined }): unknown =>
    errors.entraErrorBody({
      error: f.error,
      aadsts: f.aadsts,
      message: 'Fault injected by the test authority.',
      correlationId,
      traceId,
      now: ctx.now(),
    })
  if (fault && (await answerFault(fault, res, ctx.signal, record, faultBody, headers))) return

  try {
    if (req.method !== 'POST')
      throw new errors.EntraError(
        405,
        'invalid_request',
        900561,
        `The endpoint only accepts POST requests. Received a ${req.method ?? ''} request.`,
      )
    if (creds instanceof errors.EntraError) throw creds
    const body = await issue(ctx, form, creds, record, tenant)
    record.status = 200
    sendJson(res, 200, body, headers)
  } catch (error) {
    if (error instanceof errors.EntraError) fail(error)
    else throw error
  }
}

function describe(record: RecordedRequest, form: URLSearchParams): void {
  record.form = redactedForm(form)
  const set = (key: 'grantType' | 'scope' | 'claims' | 'clientId', value: string | null): void => {
    if (value !== null) record[key] = value
  }
  set('grantType', form.get('grant_type'))
  set('scope', form.get('scope'))
  set('claims', form.get('claims'))
  set('clientId', form.get('client_id'))
}

async function issue(
  ctx: AuthorityContext,
  form: URLSearchParams,
  creds: ClientCredentials,
  record: RecordedRequest,
  tenant: string,
): Promise<TokenResponseBody> {
  if (MULTI_TENANT_ALIASES.has(tenant.toLowerCase())) throw errors.multiTenantAlias(tenant)
  const tenantId = ctx.tenants.resolve(tenant)
  if (tenantId === undefined) throw errors.unknownTenant(tenant)

  const grantType = form.get('grant_type')
  if (grantType === null) throw errors.missingParameter('grant_type')
  if (grantType !== 'client_credentials') throw errors.unsupportedGrantType(grantType)

  if (creds.clientId === undefined || creds.clientId === '') throw errors.missingParameter('client_id')
  if (form.has('resource')) throw errors.resourceParameterNotSupported()
  const resource = resourceOf(form.get('scope'))
  record.resource = resource
  const claims = form.get('claims') ?? undefined
  const xmsCc = clientCapabilities(claims)

  const client = ctx.clients.get(creds.clientId)
  if (!client || !registeredIn(ctx, client, tenantId)) throw errors.unknownClient(creds.clientId, tenant)
  const audiences = [...new Set([tenant, ...ctx.tenants.namesOf(tenantId)].map((t) => ctx.tokenEndpoint(t)))]
  await authenticateClient(client, creds, {
    audiences,
    now: ctx.now(),
    seenAssertions: ctx.seenAssertions,
    jwks: ctx.key.jwks,
  })

  const lifetime = ctx.tokenLifetimeSeconds
  const { token } = await ctx.mint({
    tenantId,
    audience: resource,
    clientId: client.registration.clientId,
    roles: rolesFor(client.registration.roles, resource),
    clientAuthLevel: creds.method === 'private_key_jwt' ? '2' : '1',
    lifetimeSeconds: lifetime,
    ...(claims === undefined ? {} : { claims }),
    ...(xmsCc ? { extra: { xms_cc: xmsCc } } : {}),
  })
  return {
    token_type: 'Bearer',
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: token,
    ...(ctx.refreshInSeconds === undefined ? {} : { refresh_in: ctx.refreshInSeconds }),
  }
}

/** The one resource of a client credentials scope: `https://x/.default` → `https://x`. */
export function resourceOf(scope: string | null): string {
  if (scope === null || scope.trim() === '') throw errors.missingParameter('scope')
  const scopes = scope.trim().split(/\s+/)
  const [only] = scopes
  if (only === undefined || scopes.length !== 1) {
    throw errors.invalidScope(
      scope,
      'Client credential flows take exactly one scope: one resource followed by /.default, e.g. https://graph.microsoft.com/.default.',
    )
  }
  if (!only.endsWith(DEFAULT_SUFFIX) || only.length === DEFAULT_SUFFIX.length) {
    const slash = only.lastIndexOf('/')
    const suggestion =
      only.includes('://') && slash > only.indexOf('://') + 2
        ? `${only.slice(0, slash)}${DEFAULT_SUFFIX}`
        : `https://graph.microsoft.com${DEFAULT_SUFFIX}`
    throw errors.invalidScope(
      only,
      `Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI), e.g. '${suggestion}'.`,
    )
  }
  // A v1 resource keeps its trailing slash: https://database.windows.net//.default → https://database.windows.net/
  return only.slice(0, -DEFAULT_SUFFIX.length)
}

/** `xms_cc` values from `{"access_token":{"xms_cc":{"values":["cp1"]}}}`; throws on bad JSON. */
function clientCapabilities(claims: string | undefined): string[] | undefined {
  if (claims === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(claims)
  } catch {
    throw errors.invalidClaims()
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw errors.invalidClaims()
  const values = at(parsed, 'access_token', 'xms_cc', 'values')
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : undefined
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

function registeredIn(ctx: AuthorityContext, client: RegisteredClient, tenantId: string): boolean {
  const tenants = client.registration.tenants
  return tenants === undefined || tenants.some((t) => ctx.tenants.resolve(t) === tenantId)
}
