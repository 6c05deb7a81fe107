import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { calculateJwkThumbprint, createRemoteJWKSet, EmbeddedJWK, jwtVerify, type JWK } from 'jose'

/**
 * Options of {@link startDpopApi}.
 *
 * @example
 * ```ts
 * const issuer = 'http://127.0.0.1:4000'
 * const options: DpopApiOptions = { jwksUri: `${issuer}/jwks`, issuer, audience: 'https://api.example.test/', requireNonce: true }
 * ```
 */
export interface DpopApiOptions {
  /** Where the authorization server publishes the keys of its JWT access tokens. */
  jwksUri: string
  /** Expected `iss` of access tokens. */
  issuer: string
  /** Expected `aud` of access tokens. */
  audience: string
  /** Ask for a server nonce (RFC 9449 §9): a proof without the current one gets `use_dpop_nonce`. */
  requireNonce?: boolean
}

/**
 * One request the API saw, and what it answered.
 *
 * @example
 * ```ts
 * const refused = (api: DpopApi): DpopApiRequest[] => api.requests.filter((r) => r.status === 401)
 * ```
 */
export interface DpopApiRequest {
  method: string
  path: string
  status: number
  /** Why a request was refused (`use_dpop_nonce`, `invalid_dpop_proof: ath mismatch`, ...). */
  error?: string
  authorization: string | undefined
}

/**
 * A protected API that accepts only DPoP-bound tokens: `Authorization: DPoP <jwt>` whose
 * `cnf.jkt` is the thumbprint of the proof's key, and a `DPoP` proof checked for its signature,
 * `typ`, `htm`, `htu`, `ath`, `iat`, replayed `jti` and (optionally) the current nonce.
 *
 * @example
 * ```ts
 * const api = await startDpopApi({ jwksUri: 'http://127.0.0.1:4000/jwks', issuer: 'http://127.0.0.1:4000', audience: OIDC_RESOURCE, requireNonce: true })
 * api.rotateNonce() // the next request gets 401 use_dpop_nonce with the new DPoP-Nonce
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
 */
export interface DpopApi {
  url: string
  requests: DpopApiRequest[]
  /** The nonce the API wants now. */
  nonce(): string
  /** Switches to a new nonce: proofs with the old one get `use_dpop_nonce`. */
  rotateNonce(): string
  /** Refuses this access token from now on (`invalid_token`), as after a revocation. */
  revoke(accessToken: string): void
  /** Answers every request with a new nonce (a server that never settles). */
  alwaysNewNonce(on: boolean): void
  close(): Promise<void>
}

/**
 * Starts a {@link DpopApi} on 127.0.0.1 (a free port).
 *
 * @example
 * ```ts
 * async function withApi(op: RunningOidcProvider) {
 *   const api = await startDpopApi({ jwksUri: op.jwksUri, issuer: op.issuer, audience: OIDC_RESOURCE })
 *   await api.close()
 * }
 * ```
 */
export async function startDpopApi(options: DpopApiOptions): Promise<DpopApi> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri))
  const seen = new Set<string>()
  const revoked = new Set<string>()
  const requests: DpopApiRequest[] = []
  let nonce = randomBytes(16).toString('base64url')
  let churn = false
  const server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`

  const refuse = (res: ServerResponse, record: DpopApiRequest, error: string, description: string) => {
    record.status = 401
    record.error = error
    if (churn) nonce = randomBytes(16).toString('base64url')
    if (error === 'use_dpop_nonce' || churn) res.setHeader('dpop-nonce', nonce)
    res.setHeader(
      'www-authenticate',
      `DPoP error="${error}", error_description="${description}", algs="ES256 EdDSA PS256 RS256"`,
    )
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error }))
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const authorization = req.headers.authorization
    const record: DpopApiRequest = { method: req.method ?? '', path: req.url ?? '', status: 0, authorization }
    requests.push(record)
    for await (const _ of req) void _ // drain the body
    const [scheme, token] = (authorization ?? '').split(' ')
    const proof = req.headers.dpop
    if (scheme !== 'DPoP' || !token || typeof proof !== 'string')
      return refuse(res, record, 'invalid_token', 'DPoP token and proof required')
    if (revoked.has(token)) return refuse(res, record, 'invalid_token', 'token revoked')
    let jkt: string
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: options.issuer, audience: options.audience })
      jkt = (payload.cnf as { jkt?: string } | undefined)?.jkt ?? ''
    } catch {
      return refuse(res, record, 'invalid_token', 'access token not valid')
    }
    let claims: Record<string, unknown>
    let key: JWK
    try {
      const verified = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'],
      })
      claims = verified.payload
      key = verified.protectedHeader.jwk as JWK
    } catch {
      return refuse(res, record, 'invalid_dpop_proof', 'proof signature')
    }
    const htu = `${url}${(req.url ?? '').replace(/[?#].*$/, '')}`
    const ath = createHash('sha256').update(token).digest('base64url')
    const age = Math.abs(Date.now() / 1000 - Number(claims.iat))
    const problem =
      (await calculateJwkThumbprint(key)) !== jkt
        ? 'cnf.jkt mismatch'
        : claims.htm !== req.method
          ? 'htm mismatch'
          : claims.htu !== htu
            ? 'htu mismatch'
            : claims.ath !== ath
              ? 'ath mismatch'
              : !(age < 300)
                ? 'iat too far'
                : typeof claims.jti !== 'string' || seen.has(claims.jti)
                  ? 'jti replayed'
                  : undefined
    if (problem !== undefined) return refuse(res, record, 'invalid_dpop_proof', problem)
    seen.add(claims.jti as string)
    if (churn || (options.requireNonce && claims.nonce !== nonce))
      return refuse(res, record, 'use_dpop_nonce', 'nonce required')
    record.status = 200
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ok: true, path: req.url }))
  }

  return {
    url,
    requests,
    nonce: () => nonce,
    revoke: (accessToken) => void revoked.add(accessToken),
    rotateNonce: () => (nonce = randomBytes(16).toString('base64url')),
    alwaysNewNonce: (on) => void (churn = on),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
