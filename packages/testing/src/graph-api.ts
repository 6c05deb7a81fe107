import { randomUUID } from 'node:crypto'
import { startApiServer, type ApiCall, type ApiControls, type ApiResponse } from './api-server.js'
import type { TestAuthority } from './authority.js'
import type { GateResult } from './bearer-gate.js'
import { stableGuid } from './context.js'
import { DEFAULT_TENANT_DOMAIN, GRAPH_AUDIENCE } from './defaults.js'
import type { ListenOptions } from './http.js'

/** Microsoft Graph's own application id, sent in its `WWW-Authenticate` challenges. */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000'
const MAX_TOP = 999

/**
 * Options of {@link startGraphApi}.
 *
 * @example
 * ```ts
 * const graph = await startGraphApi({ authority, users: 30, pageSize: 10 })
 * ```
 */
export interface GraphApiOptions extends ListenOptions {
  authority: TestAuthority
  /** Expected `aud`; default `https://graph.microsoft.com`. */
  audience?: string
  /** The token needs at least one of these app roles; default `['User.Read.All']`. */
  requiredRoles?: string[]
  /** Number of users in the directory; default 25. */
  users?: number
  /** Users per page when `$top` is absent; default 10. */
  pageSize?: number
  /** Origin for `@odata.nextLink` instead of this server's (for token-leak tests). */
  nextLinkOrigin?: string
}

/**
 * A user as the Graph stand-in returns it.
 *
 * @example
 * ```ts
 * const page = (await res.json()) as { value: GraphUser[] }
 * ```
 */
export interface GraphUser {
  id: string
  displayName: string
  userPrincipalName: string
  mail: string
}

/**
 * A running Microsoft Graph stand-in.
 *
 * @example
 * ```ts
 * graph.setNextLinkOrigin(otherApi.origin) // the next page lives elsewhere: no token may go there
 * ```
 */
export interface GraphApi extends ApiControls {
  /** The users served, in order. */
  readonly users: readonly GraphUser[]
  /** Make `@odata.nextLink` point to another origin (undefined: back to this server). */
  setNextLinkOrigin(origin: string | undefined): void
}

/**
 * Starts a Microsoft Graph stand-in on 127.0.0.1: `GET /v1.0/users` (paged, `$top`,
 * absolute `@odata.nextLink`), `GET /v1.0/users/{id | userPrincipalName}`,
 * `GET /v1.0/organization`; `/beta/` works the same. Errors are Graph-shaped
 * (`InvalidAuthenticationToken` 401, `Authorization_RequestDenied` 403,
 * `Request_ResourceNotFound` 404).
 *
 * @example
 * ```ts
 * const graph = await startGraphApi({ authority })
 * const res = await fetch(`${graph.url}/v1.0/users?$top=5`, { headers: { authorization: `Bearer ${token}` } })
 * ```
 */
export async function startGraphApi(options: GraphApiOptions): Promise<GraphApi> {
  const { authority } = options
  const pageSize = options.pageSize ?? 10
  let nextLinkOrigin = options.nextLinkOrigin
  const users: GraphUser[] = Array.from({ length: options.users ?? 25 }, (_, i) => {
    const upn = `user${i + 1}@${DEFAULT_TENANT_DOMAIN}`
    return {
      id: stableGuid(`graph user ${i + 1}`),
      displayName: `Test User ${i + 1}`,
      userPrincipalName: upn,
      mail: upn,
    }
  })

  const graphError = (
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ): ApiResponse => {
    const innerError = {
      date: new Date(authority.now()).toISOString().replace(/\.\d+Z$/, ''),
      'request-id': randomUUID(),
      'client-request-id': randomUUID(),
    }
    return { status, headers, json: { error: { code, message, innerError } } }
  }

  const denied = (result: Exclude<GateResult, { outcome: 'allowed' }>): ApiResponse => {
    const challenge = `Bearer realm="", authorization_uri="${authority.authorityHost}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`
    if (result.outcome === 'forbidden')
      return graphError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      )
    if (result.outcome === 'challenged') {
      const claims = Buffer.from(result.claims).toString('base64')
      return graphError(
        401,
        'InvalidAuthenticationToken',
        'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp',
        {
          'www-authenticate': `${challenge}, error="insufficient_claims", claims="${claims}"`,
        },
      )
    }
    return graphError(401, 'InvalidAuthenticationToken', result.description, {
      'www-authenticate': `${challenge}, error="invalid_token", error_description="${result.description}"`,
    })
  }

  const route = (
    call: ApiCall,
    origin: string,
    version: string,
    resource: string,
    tenantId: string,
  ): ApiResponse => {
    const context = `${origin}/${version}/$metadata`
    if (resource === '/users') {
      const top = Number(call.url.searchParams.get('$top') ?? pageSize)
      if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
        return graphError(
          400,
          'Request_UnsupportedQuery',
          `Invalid page size specified: '${call.url.searchParams.get('$top') ?? ''}'. Must be between 1 and ${MAX_TOP} inclusive.`,
        )
      const skip = decodeSkipToken(call.url.searchParams.get('$skiptoken'))
      if (skip === undefined)
        return graphError(400, 'Directory_InvalidSkipToken', 'The specified skip token is invalid.')
      const page: Record<string, unknown> = {
        '@odata.context': `${context}#users`,
        value: users.slice(skip, skip + top),
      }
      if (skip + top < users.length) {
        // Written out rather than via URLSearchParams, which would escape `$` as Graph does not.
        const skiptoken = Buffer.from(`skip:${skip + top}`).toString('base64url')
        page['@odata.nextLink'] =
          `${nextLinkOrigin ?? origin}/${version}/users?$top=${top}&$skiptoken=${skiptoken}`
      }
      return { status: 200, json: page }
    }
    const key = /^\/users\/([^/]+)$/.exec(resource)?.[1]
    if (key !== undefined) {
      const id = decodeURIComponent(key).toLowerCase()
      const user = users.find((u) => u.id === id || u.userPrincipalName.toLowerCase() === id)
      if (!user)
        return graphError(
          404,
          'Request_ResourceNotFound',
          `Resource '${decodeURIComponent(key)}' does not exist or one of its queried reference-property objects are not present.`,
        )
      return { status: 200, json: { '@odata.context': `${context}#users/$entity`, ...user } }
    }
    if (resource === '/organization') {
      const org = {
        id: tenantId,
        displayName: 'Contoso (test)',
        verifiedDomains: [{ name: DEFAULT_TENANT_DOMAIN, isDefault: true, isInitial: true }],
      }
      return { status: 200, json: { '@odata.context': `${context}#organization`, value: [org] } }
    }
    if (resource === '/me')
      return graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.')
    return graphError(
      404,
      'Request_ResourceNotFound',
      `Resource not found for the segment '${resource.split('/')[1] ?? ''}'.`,
    )
  }

  const server = await startApiServer(
    { ...options, audience: options.audience ?? GRAPH_AUDIENCE },
    async (call, origin) => {
      const match = /^\/(v1\.0|beta)(\/.*)?$/.exec(call.url.pathname)
      if (!match) return graphError(400, 'BadRequest', 'Invalid version.')
      const result = await call.gate.check(call.token, options.requiredRoles ?? ['User.Read.All'])
      if (result.outcome !== 'allowed') return denied(result)
      if (call.req.method !== 'GET')
        return graphError(405, 'Request_BadRequest', 'Only GET is supported by the test Graph.')
      const tenantId = typeof result.claims.tid === 'string' ? result.claims.tid : authority.tenantId
      return route(call, origin, match[1] ?? 'v1.0', (match[2] ?? '/').replace(/\/+$/, '') || '/', tenantId)
    },
  )
  return {
    ...server,
    users,
    setNextLinkOrigin(origin) {
      nextLinkOrigin = origin
    },
  }
}

function decodeSkipToken(token: string | null): number | undefined {
  if (token === null) return 0
  const match = /^skip:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'))
  return match ? Number(match[1]) : undefined
}
