import { SignJWT, importPKCS8 } from 'jose'
import { randomUUID } from 'node:crypto'
import type { TestAuthority, TestCertificate } from '../src/index.js'

export interface Answer {
  status: number
  headers: Headers
  // Parsed JSON; `any` keeps assertions on response bodies short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any
  text: string
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: response.status, headers: response.headers, body, text }
}

/** POSTs a form to the token endpoint, as a client library would. */
export async function postToken(
  authority: TestAuthority,
  form: Record<string, string>,
  options: { tenant?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(authority.tokenEndpoint(options.tenant), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body: new URLSearchParams(form),
  })
  return answer(response)
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(await fetch(url, { headers, redirect: 'manual' }))
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

/** The form of a client credentials request with the default client's secret. */
export const secretForm = (authority: TestAuthority, scope: string): Record<string, string> => ({
  grant_type: 'client_credentials',
  client_id: authority.clientId,
  client_secret: authority.clientSecret,
  scope,
})

/** Signs a client assertion the way MSAL and @apptoken/core do; overrides let tests break it. */
export async function signAssertion(
  cert: TestCertificate,
  claims: { clientId: string; audience: string | string[] },
  options: {
    alg?: 'PS256' | 'RS256'
    thumbprint?: 'x5t' | 'x5t#S256'
    exp?: number
    nbf?: number
    jti?: string
    key?: string
  } = {},
): Promise<string> {
  const alg = options.alg ?? 'PS256'
  const header =
    (options.thumbprint ?? (alg === 'PS256' ? 'x5t#S256' : 'x5t')) === 'x5t'
      ? { x5t: cert.x5t }
      : { 'x5t#S256': cert.x5tS256 }
  const key = await importPKCS8(options.key ?? cert.privateKey, alg)
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg, typ: 'JWT', ...header })
    .setIssuer(claims.clientId)
    .setSubject(claims.clientId)
    .setAudience(claims.audience)
    .setJti(options.jti ?? randomUUID())
    .setNotBefore(options.nbf ?? now)
    .setIssuedAt(now)
    .setExpirationTime(options.exp ?? now + 600)
    .sign(key)
}

export const assertionForm = (
  clientId: string,
  assertion: string,
  scope: string,
): Record<string, string> => ({
  grant_type: 'client_credentials',
  client_id: clientId,
  client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  client_assertion: assertion,
  scope,
})
