import type { IncomingMessage } from 'node:http'
import { header } from './http.js'
import type { ArcRealmFault } from './managed-identity-arc.js'

/**
 * The managed identity endpoints {@link startManagedIdentityEndpoint} emulates, named as
 * `managedIdentity({ source })` names them.
 *
 * @example
 * ```ts
 * const source: ManagedIdentitySourceName = 'serviceFabric'
 * ```
 */
export type ManagedIdentitySourceName =
  'imds' | 'appService' | 'azureArc' | 'serviceFabric' | 'cloudShell' | 'machineLearning'

/**
 * A failure for the next request(s): an error `status` (with `retryAfter`), a raw `body` (HTML,
 * empty; status 200 unless given), a token with `expires_on` as a date string, a token for
 * another identity, or an Arc challenge naming a file that breaks a rule.
 *
 * @example
 * ```ts
 * const endpoint = await startManagedIdentityEndpoint({ source: 'imds', authority })
 * endpoint.failNext({ status: 410, count: 2 })            // IMDS upgrading
 * endpoint.failNext({ body: '<html>Bad gateway</html>' })  // a proxy's page
 * endpoint.failNext({ arcRealm: 'outside' })
 * ```
 */
export interface ManagedIdentityFault {
  status?: number
  retryAfter?: number | string
  body?: string
  expiresOnAsDate?: boolean
  otherIdentity?: boolean
  arcRealm?: ArcRealmFault
  /** How many requests it applies to; default 1. */
  count?: number
}

/**
 * One request the endpoint received. Secrets (`secret`, `x-identity-header`, `authorization`)
 * read `'[redacted]'`.
 *
 * @example
 * ```ts
 * const endpoint = await startManagedIdentityEndpoint({ source: 'appService', authority })
 * const last: ManagedIdentityRequest | undefined = endpoint.requests.at(-1)
 * console.log(last?.query.token_sha256_to_refresh) // SHA-256 hex of the token a 401 rejected
 * ```
 */
export interface ManagedIdentityRequest {
  method: string
  path: string
  /** Query parameters (and the form of Cloud Shell's POST). */
  query: Record<string, string>
  headers: Record<string, string>
  status: number
  /** The token answered, if any. */
  accessToken?: string
}

/** What a token answer is built from. */
export interface Issued {
  token: string
  clientId: string
  resource: string
  issuedAt: number
  expiresAt: number
  lifetime: number
}

/** How one source is asked and how it answers, as the real endpoints do. */
export interface Shape {
  path: string
  method: 'GET' | 'POST'
  apiVersion: string | undefined
  /** The header carrying the source's secret, if it has one. */
  secretHeader: string | undefined
  /** Requires `Metadata: true`. */
  metadata: boolean
  /** Accepts `token_sha256_to_refresh` and caches tokens until it names the cached one. */
  revocation: boolean
  /** Query parameter naming a user-assigned identity's client id. */
  clientIdParam: string
  body(issued: Issued): Record<string, unknown>
}

const seconds = (ms: number): string => String(Math.floor(ms / 1000))

// IMDS and the Arc agent send every number as a string.
const imdsBody = (i: Issued): Record<string, unknown> => ({
  access_token: i.token,
  client_id: i.clientId,
  expires_in: String(i.lifetime),
  expires_on: seconds(i.expiresAt),
  ext_expires_in: String(i.lifetime),
  not_before: seconds(i.issuedAt),
  resource: i.resource,
  token_type: 'Bearer',
})

export const SHAPES: Readonly<Record<ManagedIdentitySourceName, Shape>> = {
  imds: {
    path: '/metadata/identity/oauth2/token',
    method: 'GET',
    apiVersion: '2018-02-01',
    secretHeader: undefined,
    metadata: true,
    revocation: false,
    clientIdParam: 'client_id',
    body: imdsBody,
  },
  azureArc: {
    path: '/metadata/identity/oauth2/token',
    method: 'GET',
    apiVersion: '2019-11-01',
    secretHeader: undefined,
    metadata: true,
    revocation: false,
    clientIdParam: 'client_id',
    body: imdsBody,
  },
  appService: {
    path: '/msi/token',
    method: 'GET',
    apiVersion: '2019-08-01',
    secretHeader: 'x-identity-header',
    metadata: false,
    revocation: true,
    clientIdParam: 'client_id',
    body: (i) => ({
      access_token: i.token,
      expires_on: seconds(i.expiresAt),
      resource: i.resource,
      token_type: 'Bearer',
      client_id: i.clientId,
    }),
  },
  serviceFabric: {
    path: '/metadata/identity/oauth2/token',
    method: 'GET',
    apiVersion: '2019-07-01-preview',
    secretHeader: 'secret',
    metadata: false,
    revocation: true,
    clientIdParam: 'client_id',
    // Service Fabric's expires_on is a number.
    body: (i) => ({
      token_type: 'Bearer',
      access_token: i.token,
      expires_on: Math.floor(i.expiresAt / 1000),
      resource: i.resource,
    }),
  },
  machineLearning: {
    path: '/MSI/auth',
    method: 'GET',
    apiVersion: '2017-09-01',
    secretHeader: 'secret',
    metadata: true,
    revocation: false,
    clientIdParam: 'clientid',
    // The 2017-09-01 API: expires_on in seconds, no expires_in.
    body: (i) => ({
      access_token: i.token,
      expires_on: seconds(i.expiresAt),
      resource: i.resource,
      token_type: 'Bearer',
    }),
  },
  cloudShell: {
    path: '/oauth2/token',
    method: 'POST',
    apiVersion: undefined,
    secretHeader: undefined,
    metadata: true,
    revocation: false,
    clientIdParam: 'client_id',
    body: (i) => ({
      access_token: i.token,
      refresh_token: '',
      expires_in: String(i.lifetime),
      expires_on: seconds(i.expiresAt),
      not_before: seconds(i.issuedAt),
      resource: i.resource,
      token_type: 'Bearer',
    }),
  },
}

/** Why the endpoint refuses a request before any challenge or token, if it does. */
export function refusal(
  shape: Shape,
  req: IncomingMessage,
  params: URLSearchParams,
  secret: string,
): string | undefined {
  if (req.method !== shape.method) return `Only ${shape.method} is supported.`
  if (shape.metadata && header(req, 'metadata') !== 'true') return 'Required metadata header not specified'
  if (shape.secretHeader !== undefined && header(req, shape.secretHeader) !== secret)
    return `The ${shape.secretHeader} header is missing or does not match the identity secret.`
  if (shape.apiVersion !== undefined && params.get('api-version') !== shape.apiVersion)
    return `Required query variable 'api-version' is missing or not ${shape.apiVersion}`
  if (!params.get('resource')) return "Required variable 'resource' is missing"
  return undefined
}
