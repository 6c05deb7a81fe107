import { randomUUID } from 'node:crypto'
import type { TestAuthority } from './authority.js'
import { startApiServer, type ApiCall, type ApiControls, type ApiResponse } from './api-server.js'
import type { GateResult } from './bearer-gate.js'
import { TEST_API_AUDIENCE } from './defaults.js'
import { flatHeaders, type ListenOptions } from './http.js'

/**
 * Options of {@link startProtectedApi}.
 *
 * @example
 * ```ts
 * const api = await startProtectedApi({ authority, requiredRoles: ['TodoList.Read.All'] })
 * ```
 */
export interface ProtectedApiOptions extends ListenOptions {
  /** The authority whose tokens the API accepts. */
  authority: TestAuthority
  /** Expected `aud`; default `TEST_API_AUDIENCE` (`api://apptoken-test-api`). */
  audience?: string
  /**
   * The token needs at least one of these app roles, on every route. Default: reads need
   * `TodoList.Read.All`, writes (POST, PUT, PATCH, DELETE) `TodoList.ReadWrite.All`. `[]` needs none.
   */
  requiredRoles?: string[]
  /**
   * How a token without the required role is refused: `'graph'` (default) 403 with Microsoft
   * Graph's `Authorization_RequestDenied` body; `'api'` a bare 403 as an ASP.NET Core web API
   * answers (`WWW-Authenticate: Bearer error="insufficient_scope"`, no body).
   */
  forbidden?: 'graph' | 'api'
}

/**
 * A running protected web API (a to-do list) that validates the authority's tokens for real.
 *
 * @example
 * ```ts
 * const res = await fetch(`${api.url}/api/todolist`, { headers: { authorization: `Bearer ${token}` } })
 * expect(api.requests[0]?.token).toBe(token)
 * ```
 */
export type ProtectedApi = ApiControls

interface TodoItem {
  id: string
  [key: string]: unknown
}

const READ_ROLES = ['TodoList.Read.All']
const WRITE_ROLES = ['TodoList.ReadWrite.All']

/**
 * Starts a protected web API on 127.0.0.1.
 *
 * Routes: `GET|POST /api/todolist`, `GET /api/todolist/:id`, `GET|POST /api/echo` (need a token);
 * `GET /api/redirect?to=<url>[&status=301|302|303|307|308]` (302 by default, no token needed); `GET /public/ping` (no token needed).
 * Missing, invalid, expired or revoked tokens get 401 with
 * `WWW-Authenticate: Bearer error="invalid_token", error_description="..."`; a token without the
 * role gets 403 `Authorization_RequestDenied`.
 *
 * @example
 * ```ts
 * const authority = await startTestAuthority()
 * const api = await startProtectedApi({ authority })
 * // ... point the client under test at api.url
 * await api.close()
 * await authority.close()
 * ```
 */
export async function startProtectedApi(options: ProtectedApiOptions): Promise<ProtectedApi> {
  const { authority } = options
  const todos: TodoItem[] = [
    { id: '1', title: 'Write the tests', done: true },
    { id: '2', title: 'Ship it', done: false },
  ]
  const authorizeUri = `${authority.authorityHost}/${authority.tenantId}/oauth2/v2.0/authorize`

  const denied = (result: Exclude<GateResult, { outcome: 'allowed' }>): ApiResponse => {
    if (result.outcome === 'forbidden' && options.forbidden === 'api')
      return { status: 403, headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' } }
    if (result.outcome === 'forbidden') {
      const innerError = { 'request-id': randomUUID(), date: new Date(authority.now()).toISOString() }
      return {
        status: 403,
        json: {
          error: {
            code: 'Authorization_RequestDenied',
            message: 'Insufficient privileges to complete the operation.',
            innerError,
          },
        },
      }
    }
    if (result.outcome === 'challenged') {
      const claims = Buffer.from(result.claims).toString('base64')
      const challenge = `Bearer realm="", authorization_uri="${authorizeUri}", error="insufficient_claims", claims="${claims}"`
      return {
        status: 401,
        headers: { 'www-authenticate': challenge },
        json: { error: 'insufficient_claims', error_description: 'A claims challenge was issued.' },
      }
    }
    const challenge = `Bearer error="invalid_token", error_description="${result.description}"`
    return {
      status: 401,
      headers: { 'www-authenticate': challenge },
      json: { error: 'invalid_token', error_description: result.description },
    }
  }

  const route = (call: ApiCall, origin: string): ApiResponse => {
    const { req, url, body } = call
    const path = url.pathname
    const method = req.method ?? 'GET'
    if (path === '/api/todolist' && method === 'GET') return { status: 200, json: todos }
    if (path === '/api/todolist' && method === 'POST') {
      const item = parseObject(body)
      if (!item)
        return {
          status: 400,
          json: { error: 'invalid_request', error_description: 'The body must be a JSON object.' },
        }
      const created: TodoItem = { ...item, id: String(todos.length + 1) }
      todos.push(created)
      return { status: 201, json: created, headers: { location: `${origin}/api/todolist/${created.id}` } }
    }
    const id = /^\/api\/todolist\/([^/]+)$/.exec(path)?.[1]
    if (id !== undefined && method === 'GET') {
      const item = todos.find((t) => t.id === decodeURIComponent(id))
      return item
        ? { status: 200, json: item }
        : { status: 404, json: { error: 'not_found', error_description: `No to-do item '${id}'.` } }
    }
    if (path === '/api/echo' && (method === 'GET' || method === 'POST')) {
      const headers: Record<string, string | boolean> = {
        ...flatHeaders(req),
        authorization: call.token !== undefined,
      }
      return { status: 200, json: { method, headers, body } }
    }
    return { status: 404, json: { error: 'not_found', error_description: `No route ${method} ${path}.` } }
  }

  return startApiServer(
    { ...options, audience: options.audience ?? TEST_API_AUDIENCE },
    async (call, origin) => {
      const { url, req } = call
      if (url.pathname === '/public/ping') return { status: 200, json: { status: 'ok' } }
      if (url.pathname === '/api/redirect') {
        const to = url.searchParams.get('to')
        if (to === null || !URL.canParse(to))
          return {
            status: 400,
            json: { error: 'invalid_request', error_description: 'Pass an absolute URL in ?to=' },
          }
        const status = Number(url.searchParams.get('status') ?? 302)
        return {
          status: [301, 302, 303, 307, 308].includes(status) ? status : 302,
          headers: { location: to },
        }
      }
      if (!url.pathname.startsWith('/api/'))
        return { status: 404, json: { error: 'not_found', error_description: `No route ${url.pathname}.` } }
      const method = req.method ?? 'GET'
      const roles =
        options.requiredRoles ?? (method === 'GET' || method === 'HEAD' ? READ_ROLES : WRITE_ROLES)
      const result = await call.gate.check(call.token, roles)
      return result.outcome === 'allowed' ? route(call, origin) : denied(result)
    },
  )
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
