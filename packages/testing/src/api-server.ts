import type { IncomingMessage } from 'node:http'
import type { TestAuthority } from './authority.js'
import { BearerGate } from './bearer-gate.js'
import { flatHeaders, listen, readBody, send, tooLarge, type ListenOptions } from './http.js'

/**
 * One request an API stand-in received, with the bearer token it carried.
 *
 * @example
 * ```ts
 * expect(api.requests.map((r: ApiRequest) => r.token)).toEqual([firstToken, refreshedToken])
 * ```
 */
export interface ApiRequest {
  method: string
  /** Path and query string, as received. */
  path: string
  /** The bearer token sent, if any (also on routes that need none). */
  token?: string
  status: number
  /** Request body text, when there was one. */
  body?: string
  headers: Record<string, string>
  /** Arrival time on the authority's clock (epoch ms). */
  time: number
}

/**
 * Controls shared by the protected API and the Graph stand-in.
 *
 * @example
 * ```ts
 * api.rejectNext()              // next request: 401 invalid_token, whatever the token
 * api.challengeNext('{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}')
 * ```
 */
export interface ApiControls {
  /** `http://127.0.0.1:port` (or https), no trailing slash. */
  readonly url: string
  /** Same as `url`: the origin to allow when attaching tokens. */
  readonly origin: string
  /** Every request received, in arrival order. */
  readonly requests: ApiRequest[]
  /** The next `count` (default 1) authenticated requests get 401 invalid_token, whatever the token. */
  rejectNext(count?: number): void
  /** While on, every authenticated request gets 401 invalid_token. */
  rejectAlways(on: boolean): void
  /**
   * The next authenticated request whose token was not issued for these claims (JSON) gets a 401
   * claims challenge: `WWW-Authenticate: Bearer ..., error="insufficient_claims", claims="<base64>"`.
   * A token requested with those claims (or a superset, e.g. plus `xms_cc`) passes without
   * using the challenge up. Throws when `claims` is not JSON.
   */
  challengeNext(claims: string): void
  /** Revokes a token at the authority: every API of that authority answers 401 to it. */
  revoke(token: string): void
  /** Forgets recorded requests and pending rejections/challenges. */
  reset(): void
  /** Stops the server, closing keep-alive sockets at once. */
  close(): Promise<void>
}

export interface ApiResponse {
  status: number
  json?: unknown
  headers?: Record<string, string>
}

export interface ApiCall {
  req: IncomingMessage
  url: URL
  body: string
  token: string | undefined
  gate: BearerGate
}

export interface ApiServerOptions extends ListenOptions {
  authority: TestAuthority
  /** The accepted `aud` value(s). */
  audience: string | readonly string[]
}

/** Starts an API server: records each request with its token, then lets `handle` answer it. */
export async function startApiServer(
  options: ApiServerOptions,
  handle: (call: ApiCall, origin: string) => Promise<ApiResponse>,
): Promise<ApiControls> {
  const { authority } = options
  const gate = new BearerGate(authority, options.audience)
  const requests: ApiRequest[] = []
  let origin = ''
  const server = await listen(async (req, res) => {
    const record: ApiRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status: 0,
      headers: flatHeaders(req),
      time: authority.now(),
    }
    requests.push(record)
    const token = /^Bearer\s+(\S+)\s*$/i.exec(record.headers.authorization ?? '')?.[1]
    if (token !== undefined) record.token = token
    const body = await readBody(req).catch(tooLarge(record))
    if (body !== '') record.body = body
    const response = await handle({ req, url: new URL(record.path, origin), body, token, gate }, origin)
    record.status = response.status
    const text = response.json === undefined ? '' : JSON.stringify(response.json)
    send(res, response.status, text, {
      ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      ...response.headers,
    })
  }, options)
  origin = server.origin
  return {
    url: origin,
    origin,
    requests,
    rejectNext: (count) => gate.rejectNext(count),
    rejectAlways: (on) => gate.rejectAlways(on),
    challengeNext: (claims) => gate.challengeNext(claims),
    revoke: (token) => authority.revoke(token),
    reset() {
      requests.length = 0
      gate.reset()
    },
    close: () => server.close(),
  }
}
