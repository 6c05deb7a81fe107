import type { IncomingMessage } from 'node:http'
import { flatHeaders } from './http.js'

/**
 * Which endpoint a request reached. `other` is any path the authority does not serve.
 *
 * @example
 * ```ts
 * expect(authority.requests.map((r) => r.kind)).toEqual(['discovery', 'token'])
 * ```
 */
export type RequestKind = 'token' | 'imds' | 'appservice' | 'discovery' | 'jwks' | 'other'

/**
 * How the client authenticated a token request.
 *
 * @example
 * ```ts
 * expect(authority.tokenRequests()[0]?.authMethod).toBe('private_key_jwt')
 * ```
 */
export type AuthMethod =
  'client_secret_post' | 'client_secret_basic' | 'private_key_jwt' | 'managed_identity' | 'none'

/**
 * One request the authority received, as a test would want to assert on it. Secrets never appear:
 * `client_secret`, `client_assertion` and the `Authorization` / `X-IDENTITY-HEADER` headers read
 * `'[redacted]'`.
 *
 * @example
 * ```ts
 * const [request] = authority.tokenRequests({ clientId: DEFAULT_CLIENT_ID })
 * expect(request?.authMethod).toBe('client_secret_post')
 * expect(request?.status).toBe(200)
 * ```
 */
export interface RecordedRequest {
  kind: RequestKind
  method: string
  /** Path and query string, as received. */
  path: string
  /** Tenant segment of the path, as sent (GUID or domain). */
  tenant?: string
  clientId?: string
  scope?: string
  /** The resource the token was for (`scope` without `/.default`, or the managed identity `resource`). */
  resource?: string
  grantType?: string
  authMethod?: AuthMethod
  /** The `claims` request parameter (JSON), when sent. */
  claims?: string
  /** Form fields (token requests) or query parameters (managed identity), secrets redacted. */
  form: Record<string, string>
  headers: Record<string, string>
  /** HTTP status sent; 0 when a fault dropped the connection. */
  status: number
  /** OAuth error code of a failed request. */
  error?: string
  /** Arrival time on the authority's clock (epoch ms). */
  time: number
}

export const REDACTED = '[redacted]'
const SECRET_FIELDS = new Set(['client_secret', 'client_assertion'])
const SECRET_HEADERS = new Set(['authorization', 'x-identity-header'])

export function newRecord(kind: RequestKind, req: IncomingMessage, time: number): RecordedRequest {
  const headers = flatHeaders(req)
  for (const name of SECRET_HEADERS) if (name in headers) headers[name] = REDACTED
  return { kind, method: req.method ?? 'GET', path: req.url ?? '/', form: {}, headers, status: 0, time }
}

export function redactedForm(params: URLSearchParams): Record<string, string> {
  const form: Record<string, string> = {}
  for (const [name, value] of params) form[name] = SECRET_FIELDS.has(name) ? REDACTED : value
  return form
}
